// The webview end of the host connection. acquireVsCodeApi() may be called once per page, so it lives here.
declare function acquireVsCodeApi(): { postMessage(message: unknown): void; getState(): unknown; setState(state: unknown): void };

export interface HostChannel<In, Out, State> {
  post(message: Out): void;
  onMessage(handler: (message: In) => void): void;
  getState(): State | undefined;
  setState(state: State): void;
}

let api: ReturnType<typeof acquireVsCodeApi> | undefined;

export function hostChannel<In extends { type: string }, Out, State>(): HostChannel<In, Out, State> {
  api ??= acquireVsCodeApi();
  const vscode = api;
  return {
    post: (message) => vscode.postMessage(message),
    onMessage: (handler) =>
      window.addEventListener('message', (event: MessageEvent) => {
        // Only the host posts to this window; anything without a type is not ours.
        const data = event.data as unknown;
        if (typeof data === 'object' && data !== null && typeof (data as { type?: unknown }).type === 'string') handler(data as In);
      }),
    getState: () => vscode.getState() as State | undefined,
    setState: (state) => vscode.setState(state),
  };
}
