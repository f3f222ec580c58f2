using Gateway.Ssh;
using Akka.Actor;
using Gateway.Actors.Sessions;
using Gateway.Ssh.Connection;
using Gateway.Node.SshSessions.Cli;

namespace Gateway.Node.SshSessions;

/// <summary>
/// The gateway's answers to one SSH connection's requests: forward requests go to its session
/// actor; a shell gets the plain-text status stream; a command (<c>exec</c>) runs one of the
/// gateway's internal commands (<see cref="CliCommands"/>), never a program (the gateway is not a
/// shell host); everything else is refused by the library's defaults.
/// </summary>
public sealed class TunnelConnectionHandler : ISshConnectionHandler
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    private readonly Task<IActorRef> _session;
    private readonly SessionStatusFeed _status;
    private readonly GatewayIdentity _identity;
    private readonly CancellationToken _closed;
    private readonly HashSet<SshChannel> _terminals = [];
    private readonly CliConnection _cli;

    /// <param name="session">the connection's session actor, known once the session has started</param>
    /// <param name="cli">what the internal commands of this connection run with</param>
    public TunnelConnectionHandler(Task<IActorRef> session, SessionStatusFeed status, GatewayIdentity identity, CancellationToken closed, CliConnection cli)
    {
        _session = session;
        _status = status;
        _identity = identity;
        _closed = closed;
        _cli = cli;
    }

    public async ValueTask<RemoteForwardDecision> OnRemoteForwardRequestAsync(RemoteForwardRequest request)
    {
        // Counted before the first await, in the order requests arrive: a later `status` waits for it.
        using var pending = _cli.Forwards.Requested();
        var session = await _session.WaitAsync(_closed).ConfigureAwait(false);
        var result = await session.Ask<ForwardRequestResult>(new ForwardRequested(request.BindAddress, request.Port), AskTimeout).ConfigureAwait(false);
        return result.Success ? RemoteForwardDecision.Accept(result.ReplyPort) : RemoteForwardDecision.Refuse(result.Message);
    }

    public async ValueTask<bool> OnCancelRemoteForwardAsync(string bindAddress, uint port)
    {
        var session = await _session.WaitAsync(_closed).ConfigureAwait(false);
        return await session.Ask<bool>(new ForwardCancelRequested(bindAddress, port), AskTimeout).ConfigureAwait(false);
    }

    public ValueTask<ChannelOpenDecision> OnChannelOpenAsync(ChannelOpenRequest request)
        => ValueTask.FromResult(request.Type == ChannelOpenRequest.Session
            ? ChannelOpenDecision.Accept()
            : ChannelOpenDecision.Refuse(ChannelOpenFailureReason.AdministrativelyProhibited, "open failed"));

    public ValueTask<bool> OnChannelRequestAsync(SshChannel channel, ChannelRequest request)
    {
        switch (request)
        {
            case PtyRequest:
                lock (_terminals) _terminals.Add(channel);
                return ValueTask.FromResult(true);
            case EnvRequest or WindowChangeRequest:
                return ValueTask.FromResult(true);
            case ShellRequest:
                bool terminal;
                lock (_terminals) terminal = _terminals.Contains(channel);
                _ = Task.Run(() => RunStatusStreamAsync(channel, terminal));
                return ValueTask.FromResult(true);
            case ExecRequest exec:
                bool commandTerminal;
                lock (_terminals) commandTerminal = _terminals.Contains(channel);
                _ = Task.Run(() => _cli.RunAsync(channel, exec.Command, commandTerminal, _closed));
                return ValueTask.FromResult(true);
            default:
                return ValueTask.FromResult(false);
        }
    }

    private async Task RunStatusStreamAsync(SshChannel channel, bool terminal)
    {
        var header = $"gateway: signed in as {_identity.Email}; tunnel status follows (q or Ctrl-C to close this view)";
        await _status.FollowAsync(channel, terminal, header, _closed).ConfigureAwait(false);
        await CloseAsync(channel, 0).ConfigureAwait(false);
    }

    private static async Task CloseAsync(SshChannel channel, uint status)
    {
        try
        {
            await channel.SendExitStatusAsync(status).ConfigureAwait(false);
            await channel.SendEofAsync().ConfigureAwait(false);
            await channel.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SshConnectionClosedException or OperationCanceledException or InvalidOperationException) { }
    }
}
