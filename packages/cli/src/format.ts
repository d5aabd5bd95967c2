export { humanBytes, humanDuration, humanShare, count } from '@equilybrium/core';
