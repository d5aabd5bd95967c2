export { humanBytes, humanDuration, humanShare, humanTime, count, thousands } from '@equilybrium/core';
