export { DEFAULT_NOTIFIED_EVENTS, EVENT_TYPES, isEventType, type EventType } from '../config/event-types.js';
export { runEventType, streamEventType } from '../state/lifecycle-event-type.js';
export { subscriptionsOf, targetKey, targetLabel } from './notification-target.js';
export { nextAttemptAt, retryDelayMs, type RetryBackoff } from './retry-backoff.js';
export { WEBHOOK_HEADERS, signWebhook, verifyWebhookSignature } from './webhook-signature.js';
export { jsonWebhookBody, slackWebhookBody, webhookBody } from './webhook-payload.js';
export { sendWebhook, type SendWebhookOptions, type WebhookResponse } from './send-webhook.js';
export {
  DeliveryWorker,
  type DeliverDueOptions,
  type DeliveryAttempt,
  type DeliveryWorkerOptions,
  type PipelineNotifications,
} from './delivery-worker.js';
