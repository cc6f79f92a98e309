export { createDefaultSchedules } from './scheduler.js';
export { defaultJobHandlers, defaultPeriodicTasks } from './handlers.js';
export { jobRoutes } from './routes.js';
export { startJobs, type JobsRuntime, type StartJobsOptions } from './runtime.js';
export type { JobContext, JobHandler, JobHandlers, JobProgress, JobType } from './types.js';
