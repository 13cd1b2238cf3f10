export interface LatencyOptions { root: string; dataDir: string; which: string[]; lines: number }
export async function runLatencyBenches(_o: LatencyOptions): Promise<void> {}
