using Akka.Actor;
using Gateway.Actors.Sessions;

namespace Gateway.Node.SshSessions.Cli;

/// <summary>
/// This connection's forwards, asked of its session actor for <c>status</c>. A forward request
/// that arrived before the command is answered first: OpenSSH sends <c>tcpip-forward</c> before
/// the command (<c>ssh -R 0 gw status</c>), but the connection handles requests concurrently, and
/// the command must not overtake them.
/// </summary>
public sealed class SessionForwards(Task<IActorRef> session)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private int _inFlight;
    private TaskCompletionSource? _settled;

    /// <summary>Marks a forward request as being decided until the returned scope is disposed.</summary>
    public Scope Requested()
    {
        lock (_gate) _inFlight++;
        return new Scope(this);
    }

    /// <summary>Waits for the forward requests in flight (each is bounded by its own ask), then asks the session actor.</summary>
    public async Task<SessionStatus> ReadAsync(CancellationToken cancellationToken)
    {
        Task settled;
        lock (_gate) settled = _inFlight == 0 ? Task.CompletedTask : (_settled ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        await settled.WaitAsync(cancellationToken).ConfigureAwait(false);
        var actor = await session.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await actor.Ask<SessionStatus>(new GetSessionStatus(), AskTimeout, cancellationToken).ConfigureAwait(false);
    }

    private void Done()
    {
        TaskCompletionSource? settled = null;
        lock (_gate)
        {
            if (--_inFlight == 0) (settled, _settled) = (_settled, null);
        }
        settled?.TrySetResult();
    }

    public readonly struct Scope(SessionForwards owner) : IDisposable
    {
        public void Dispose() => owner.Done();
    }
}
