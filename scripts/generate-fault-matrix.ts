/** Writes docs/fault-matrix.md from the fault-matrix table (`npm run docs`). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAULT_MATRIX_DOC, renderFaultMatrix } from '../test/hostile/fault-matrix-markdown';

const path = join(__dirname, '..', FAULT_MATRIX_DOC);
writeFileSync(path, renderFaultMatrix());
console.log(`wrote ${FAULT_MATRIX_DOC}`);
