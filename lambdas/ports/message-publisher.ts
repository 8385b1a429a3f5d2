export interface OutgoingMessage {
  /** Unique within one call; also used to report which entries failed. */
  readonly id: string;
  readonly body: string;
  /** SQS message attributes (strings), e.g. the mark of a record replayed from the quarantine. */
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface MessagePublisher {
  /** Sends every message or throws; entries that fail are retried, none is dropped silently. */
  publish(messages: readonly OutgoingMessage[]): Promise<void>;
}
