export * from './wire';
export { PostmartChannel, verifyPostmartWebhook, type PostmartCredentials, type PostmartChannelOptions } from './postmart.channel';
