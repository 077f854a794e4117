export { compileFilter, eventSubject, type CompiledFilter, type FilterSubject, type FlowFacts } from './evaluate.js';
export { FilterSyntaxError, parseFilter } from './parse.js';
