/**
 * One-line labels of events: shared with `report --text`, so they live in src/report
 * (batch commands must load no UI module).
 */
export * from '../../report/event-label.js';
