export const outboxStatuses = ['queued', 'sending', 'sent', 'failed', 'dead'] as const;
export type OutboxStatus = (typeof outboxStatuses)[number];
