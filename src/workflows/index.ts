export { BatchImport } from './batch-import';
export { KrithiImport } from './krithi-import';
