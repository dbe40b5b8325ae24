namespace Makemore.ML.Persistence;

/// <summary>
/// Work run by a thread-pool worker if one takes it before it is needed, else by the thread that needs it: the caller
/// never waits on a busy thread pool (a model loaded by a server whose pool is full of blocked requests). The work must
/// not throw; it returns its failure as part of its result.
/// </summary>
/// <typeparam name="T">The work's result.</typeparam>
internal sealed class BesideLoad<T> where T : class
{
    private readonly Func<T> _work;
    private readonly ManualResetEventSlim _done = new(false); // not disposed: a late worker may still be leaving Set
    private int _taken;
    private T? _result;

    /// <summary>Offers <paramref name="work"/> to the thread pool (or to <paramref name="queue"/>: tests give one that never runs it).</summary>
    public BesideLoad(Func<T> work, Action<Action>? queue = null)
    {
        _work = work;
        (queue ?? (run => ThreadPool.UnsafeQueueUserWorkItem(_ => run(), null)))(TryRun);
    }

    /// <summary>The result: the work is run here if no worker has taken it, else waited for.</summary>
    public T Join()
    {
        TryRun();
        _done.Wait();
        return _result!;
    }

    /// <summary>The result is not needed: the work is not started if no worker has taken it, else waited for.</summary>
    public void Abandon()
    {
        if (Interlocked.Exchange(ref _taken, 1) == 0)
            return;
        _done.Wait();
    }

    private void TryRun()
    {
        if (Interlocked.Exchange(ref _taken, 1) != 0)
            return;
        _result = _work();
        _done.Set();
    }
}
