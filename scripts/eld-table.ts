/**
 * Build step: writes eld's 'small' n-gram table as JSON next to the compiled code (dist/eld/small.json),
 * stamped with eld's version, so that a cold start parses JSON instead of evaluating eld's object
 * literal (src/language/eld-table.ts says why and what happens without it).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BUILT_TABLE, eldSmallTable, eldVersion, type EldTableFile } from '../src/language/eld-table.js';

const file: EldTableFile = { eldVersion: await eldVersion(), ngramsData: await eldSmallTable() };
await mkdir(dirname(BUILT_TABLE), { recursive: true });
await writeFile(BUILT_TABLE, JSON.stringify(file));
