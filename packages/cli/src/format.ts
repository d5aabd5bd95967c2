export { humanBytes, humanDuration, humanShare, count, thousands } from '@equilybrium/core';
