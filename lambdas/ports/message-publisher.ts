export interface OutgoingMessage {
  /** Unique within one call; also used to report which entries failed. */
  readonly id: string;
  readonly body: string;
}

export interface MessagePublisher {
  /** Sends every message or throws; entries that fail are retried, none is dropped silently. */
  publish(messages: readonly OutgoingMessage[]): Promise<void>;
}
