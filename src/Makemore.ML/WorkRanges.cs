namespace Makemore.ML;

/// <summary>Work split over the cores without depending on the thread pool's progress (loading a large model).</summary>
internal static class WorkRanges
{
    /// <summary>
    /// Runs body(first, last) over [0, count) in ranges of <paramref name="perTask"/>, on this thread and on up to one
    /// thread-pool worker per other core. The calling thread takes ranges until none is left and waits only for ranges
    /// already taken: a worker that never gets a thread (a pool kept busy by its callers) is not waited for, so this never
    /// depends on the pool making progress. One range runs inline. An exception of a range is rethrown here.
    /// </summary>
    public static void Run(int count, int perTask, Action<int, int> body)
    {
        int tasks = (int)(((long)count + perTask - 1) / perTask);
        if (tasks <= 1)
        {
            body(0, count);
            return;
        }
        int next = -1, done = 0;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
        var finished = new ManualResetEventSlim(false); // not disposed: a late worker may still be leaving Set
        void Work()
        {
            for (int t; (t = Interlocked.Increment(ref next)) < tasks;)
            {
                try
                {
                    body(t * perTask, (int)Math.Min(count, (long)(t + 1) * perTask));
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e), null);
                }
                finally
                {
                    if (Interlocked.Increment(ref done) == tasks)
                        finished.Set();
                }
            }
        }
        for (int w = 1; w < Math.Min(tasks, Environment.ProcessorCount); w++)
            ThreadPool.UnsafeQueueUserWorkItem(_ => Work(), null);
        Work();
        finished.Wait();
        failure?.Throw();
    }
}
