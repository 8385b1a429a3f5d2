export interface ObjectStore {
  /** Writes the object at a deterministic key, so a retry overwrites rather than duplicates. */
  put(key: string, body: Uint8Array | string, contentType: string): Promise<void>;
}
