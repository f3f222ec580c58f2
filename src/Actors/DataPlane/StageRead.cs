namespace Gateway.Actors.DataPlane;

/// <summary>
/// One read at a time on behalf of a graph stage: a read that completed at once is handed back to
/// the caller on the stage's own thread; one still pending is awaited where it completes (no
/// thread-pool hop of its own) and its result or failure reaches the stage through the stage's
/// async callbacks, the only safe way into a running stage from outside.
/// </summary>
internal sealed class StageRead<T>
{
    private readonly Action<T> _deliver;
    private readonly Action<Exception> _fail;
    private readonly Action _completed;
    private ValueTask<T> _pending;

    /// <param name="deliver">the stage's async callback taking the result</param>
    /// <param name="fail">the stage's async callback taking the failure</param>
    public StageRead(Action<T> deliver, Action<Exception> fail)
    {
        _deliver = deliver;
        _fail = fail;
        _completed = Completed;
    }

    /// <summary>True with the result when <paramref name="pending"/> already completed; otherwise the result comes through the callbacks.</summary>
    public bool CompletedNow(ValueTask<T> pending, out T result)
    {
        if (pending.IsCompletedSuccessfully)
        {
            result = pending.Result;
            return true;
        }
        _pending = pending;
        pending.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_completed);
        result = default!;
        return false;
    }

    private void Completed()
    {
        T result;
        try
        {
            result = _pending.GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            _fail(ex);
            return;
        }
        _deliver(result);
    }
}
