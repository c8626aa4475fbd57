import type { DeviceModel } from '../device/model.js';
import type { GeneratedFile } from './plan.js';
export function cFiles(_model: DeviceModel, _modelFile?: string): GeneratedFile[] { throw new Error('the C scaffold is not built yet'); }
