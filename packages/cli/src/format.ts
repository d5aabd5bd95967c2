export { humanBytes, humanDuration, count } from '@equilybrium/core';
