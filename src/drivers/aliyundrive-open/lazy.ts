import { deferredCreate, defineDriver } from '../define-driver.js';
import { aliyundriveOpenMeta } from './meta.js';

/** The driver as the server lists it: its module (and what it brings) loads when a mount of it first starts. */
export const aliyundriveOpenLazyDriver = defineDriver({
  ...aliyundriveOpenMeta,
  create: deferredCreate(async () => (await import('./aliyundrive-open.js')).aliyundriveOpenDriver.create),
});
