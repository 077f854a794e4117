/**
 * Parquet output partitioned Hive-style: `DIR/protocol=http/date=2024-01-02/part-TAG-K.parquet`.
 * Rows are buffered per partition and written in files of at most `rowsPerFile` rows; all
 * partitions together hold at most `maxBufferedRows`, so memory stays bounded on any input.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteFile, type SchemaElement } from 'hyparquet-writer';
import { columnsOf, type Cell, type Column } from './columns.js';

interface Partition {
  protocol: string;
  date: string;
  columns: Column[];
  data: Cell[][];
  rows: number;
  files: number;
}

function schemaOf(columns: readonly Column[]): SchemaElement[] {
  const root: SchemaElement = { name: 'root', num_children: columns.length };
  return [root, ...columns.map((c): SchemaElement => {
    const base = { name: c.name, repetition_type: 'OPTIONAL' as const };
    switch (c.type) {
      case 'STRING':
        return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8' };
      case 'JSON':
        return { ...base, type: 'BYTE_ARRAY', converted_type: 'JSON' };
      case 'INT32':
        return { ...base, type: 'INT32' };
      case 'INT64':
        return { ...base, type: 'INT64' };
      case 'DOUBLE':
        return { ...base, type: 'DOUBLE' };
      case 'BOOLEAN':
        return { ...base, type: 'BOOLEAN' };
      case 'TIMESTAMP_NS':
        return { ...base, type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'NANOS' } };
    }
  })];
}

export class ParquetPartitions {
  private readonly partitions = new Map<string, Partition>();
  private buffered = 0;
  readonly written: string[] = [];
  rows = 0;

  constructor(
    private readonly outDir: string,
    /** Distinguishes the files of one input among all inputs (its index). */
    private readonly tag: string,
    private readonly rowsPerFile = 50_000,
    private readonly maxBufferedRows = 100_000,
  ) {}

  add(protocol: string, date: string, row: Cell[]): void {
    const key = `${protocol}\u0000${date}`;
    let p = this.partitions.get(key);
    if (!p) {
      const columns = columnsOf(protocol);
      p = { protocol, date, columns, data: columns.map(() => []), rows: 0, files: 0 };
      this.partitions.set(key, p);
    }
    for (let i = 0; i < row.length; i++) p.data[i]!.push(row[i]!);
    p.rows++;
    this.rows++;
    if (p.rows >= this.rowsPerFile) this.flush(p);
    else if (++this.buffered >= this.maxBufferedRows) this.flushLargest();
  }

  close(): void {
    for (const p of this.partitions.values()) this.flush(p);
  }

  private flushLargest(): void {
    let largest: Partition | null = null;
    for (const p of this.partitions.values()) if (!largest || p.rows > largest.rows) largest = p;
    if (largest) this.flush(largest);
  }

  private flush(p: Partition): void {
    if (!p.rows) return;
    const dir = join(this.outDir, `protocol=${p.protocol}`, `date=${p.date}`);
    mkdirSync(dir, { recursive: true });
    const filename = join(dir, `part-${this.tag}-${p.files++}.parquet`);
    parquetWriteFile({
      filename,
      schema: schemaOf(p.columns),
      columnData: p.columns.map((c, i) => ({ name: c.name, data: p.data[i]! as never[] })),
      createdBy: 'wirelens',
    });
    this.written.push(filename);
    this.buffered -= p.rows;
    p.data = p.columns.map(() => []);
    p.rows = 0;
  }
}
