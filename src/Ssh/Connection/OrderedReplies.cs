namespace Gateway.Ssh.Connection;

/// <summary>
/// Sends replies in the order the requests arrived although the decisions complete in any
/// order. Used only from the receive loop; decisions that are already complete with nothing
/// queued before them are answered at once without allocating a continuation.
/// </summary>
internal sealed class OrderedReplies
{
    private readonly int _limit;
    private Task _tail = Task.CompletedTask;
    private int _pending;

    public OrderedReplies(int limit) => _limit = limit;

    /// <summary>Queues <paramref name="reply"/> to run with the decision's result after every earlier reply.</summary>
    public ValueTask EnqueueAsync<T>(ValueTask<T> decision, T onError, Action<T> reply)
    {
        if (_tail.IsCompleted && decision.IsCompletedSuccessfully)
        {
            reply(decision.Result);
            return ValueTask.CompletedTask;
        }
        Interlocked.Increment(ref _pending);
        _tail = ChainAsync(_tail, decision.AsTask(), onError, reply);
        // A peer that floods requests while our decisions are slow makes the receive loop wait
        // (local work, never a reply from the peer), which bounds this queue.
        return Volatile.Read(ref _pending) > _limit ? new ValueTask(_tail) : ValueTask.CompletedTask;
    }

    private async Task ChainAsync<T>(Task previous, Task<T> decision, T onError, Action<T> reply)
    {
        try
        {
            await previous.ConfigureAwait(false);
            T result;
            try
            {
                result = await decision.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // A failing handler refuses; the protocol needs an answer either way.
                result = onError;
            }
            try
            {
                reply(result);
            }
            catch (Exception)
            {
                // The transport is gone; later replies fail the same way and nothing is waiting.
            }
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }
}
