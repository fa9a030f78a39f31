import type { ToolProcess } from './spawn-tool.js';

/** All of a process's stdout once it exits; throws an Error with failure()'s text when it failed. */
export async function collectOutput(tool: ToolProcess): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of tool.read(tool.stdout)) chunks.push(chunk);
  } catch (error) {
    await tool.kill();
    throw error;
  }
  // Read to its end: the process exits by itself (killing it now would cut off its exit code).
  await tool.exited;
  const failure = tool.failure();
  if (failure !== null) throw new Error(failure);
  return Buffer.concat(chunks);
}
