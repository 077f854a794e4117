export { compileFilter, FilterFieldError, type CompiledFilter, type CompileOptions } from './evaluate.js';
export { EMPTY_SUBJECT, eventSubject, frameSubject, type FilterSubject, type FlowFacts } from './subject.js';
export { packetFacts, type PacketFacts } from './packet-facts.js';
export { FilterSyntaxError, parseFilter } from './parse.js';
