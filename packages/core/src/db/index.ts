export * from './format.ts';
export * from './listing.ts';
export * from './codecs.ts';
export * from './open.ts';
export * from './reader.ts';
export * from './writer.ts';
export { sealAfter } from './seal.ts';
