// `rpcbench/report`: reading and writing result files, and rendering them.

export { HistogramDecodeError } from '../report/errors.ts';
export { renderTimelineCsv } from '../report/exports/csv.ts';
export { renderJunitXml } from '../report/exports/junit.ts';
export { renderRunMarkdown } from '../report/exports/markdown.ts';
export type { ExportPaths } from '../report/exports/write-exports.ts';
export { writeExports } from '../report/exports/write-exports.ts';
export { renderHtmlReport, writeHtmlReport, writeNewHtmlReport } from '../report/html-report.ts';
export { InvalidResultError } from '../result/errors.ts';
export { readResult, writeResult } from '../result/result-file.ts';
export type {
  Fairness,
  HistogramRecord,
  HttpBaseline,
  LatencySummary,
  MicroBenchmark,
  PhaseResult,
  RunResult,
  ServerShare,
  ThresholdOutcome,
  TimelineEntry,
} from '../result/result-schema.ts';
export { RESULT_SCHEMA_VERSION } from '../result/result-schema.ts';
export type { CapacitySearchRecord, SearchStepRecord } from '../result/search-schema.ts';
