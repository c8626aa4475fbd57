// Broker passwords and key passphrases live only in SecretStorage (the OS keychain on desktop), keyed by
// broker id, and are deleted with the broker.
import type * as vscode from 'vscode';

export type SecretKind = 'password' | 'passphrase';

export class BrokerSecrets {
  constructor(private readonly storage: vscode.SecretStorage) {}

  private key(brokerId: string, kind: SecretKind): string {
    return `mqttMcp.broker/${brokerId}/${kind}`;
  }

  get(brokerId: string, kind: SecretKind): Thenable<string | undefined> {
    return this.storage.get(this.key(brokerId, kind));
  }

  async set(brokerId: string, kind: SecretKind, value: string | undefined): Promise<void> {
    if (value === undefined || value === '') await this.storage.delete(this.key(brokerId, kind));
    else await this.storage.store(this.key(brokerId, kind), value);
  }

  async deleteAll(brokerId: string): Promise<void> {
    await Promise.all([this.storage.delete(this.key(brokerId, 'password')), this.storage.delete(this.key(brokerId, 'passphrase'))]);
  }
}
