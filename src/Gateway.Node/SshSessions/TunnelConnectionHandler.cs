using Gateway.Ssh;
using Akka.Actor;
using Gateway.Actors.Sessions;
using Gateway.Ssh.Connection;
using Gateway.Node.SshSessions.Cli;
using Gateway.Node.SshSessions.Tui;

namespace Gateway.Node.SshSessions;

/// <summary>
/// The gateway's answers to one SSH connection's requests: forward requests go to its session
/// actor; a shell with a terminal on a connection that asked for forwards gets the status TUI, any
/// other shell the plain-text status stream; a command (<c>exec</c>) runs one of the gateway's
/// internal commands (<see cref="CliCommands"/>), never a program (the gateway is not a shell
/// host); everything else is refused by the library's defaults.
/// </summary>
public sealed class TunnelConnectionHandler : ISshConnectionHandler
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    private readonly Task<IActorRef> _session;
    private readonly SessionStatusFeed _status;
    private readonly GatewayIdentity _identity;
    private readonly CancellationToken _closed;
    private readonly Dictionary<SshChannel, PtyRequest> _terminals = [];
    private readonly Dictionary<SshChannel, TunnelStatusTui> _tuis = [];
    private readonly SessionIdentity? _sessionIdentity;
    private readonly CliConnection _cli;
    private volatile bool _forwardsRequested;

    /// <param name="session">the connection's session actor, known once the session has started</param>
    /// <param name="cli">what the internal commands of this connection run with</param>
    /// <param name="sessionIdentity">the session id and client address, for the TUI's header</param>
    public TunnelConnectionHandler(Task<IActorRef> session, SessionStatusFeed status, GatewayIdentity identity, CancellationToken closed, CliConnection cli,
        SessionIdentity? sessionIdentity = null)
    {
        _sessionIdentity = sessionIdentity;
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
        _forwardsRequested = true; // OpenSSH sends its -R requests before it opens the session channel
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
            case PtyRequest pty:
                lock (_terminals) _terminals[channel] = pty;
                return ValueTask.FromResult(true);
            case WindowChangeRequest size:
                lock (_terminals)
                {
                    if (_terminals.TryGetValue(channel, out var known)) _terminals[channel] = known with { Columns = size.Columns, Rows = size.Rows };
                    if (_tuis.TryGetValue(channel, out var tui)) tui.Resize(Dimension(size.Columns), Dimension(size.Rows));
                }
                return ValueTask.FromResult(true);
            case EnvRequest:
                return ValueTask.FromResult(true);
            case ShellRequest:
                PtyRequest? terminal;
                lock (_terminals) terminal = _terminals.GetValueOrDefault(channel);
                _ = terminal is not null && _forwardsRequested
                    ? Task.Run(() => RunTuiAsync(channel, terminal))
                    : Task.Run(() => RunStatusStreamAsync(channel, terminal is not null));
                return ValueTask.FromResult(true);
            case ExecRequest exec:
                bool commandTerminal;
                lock (_terminals) commandTerminal = _terminals.ContainsKey(channel);
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

    /// <summary>The reference caps the window at 512x512: a peer's numbers must not size our buffers (and 0 means unknown).</summary>
    private static int Dimension(uint cells) => (int)Math.Clamp(cells, 1u, 512u);

    private async Task RunTuiAsync(SshChannel channel, PtyRequest pty)
    {
        var identity = new TuiIdentity(_identity.Email, _sessionIdentity?.ClientAddress ?? "unknown", _sessionIdentity?.SessionId ?? "");
        var tui = new TunnelStatusTui(channel, _status, identity, PeerText.Sanitize(pty.Term, 64), Dimension(pty.Columns), Dimension(pty.Rows), _closed);
        lock (_terminals)
        {
            _tuis[channel] = tui;
            // A window-change that came between pty-req and now.
            var latest = _terminals[channel];
            tui.Resize(Dimension(latest.Columns), Dimension(latest.Rows));
        }
        try
        {
            await tui.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            lock (_terminals)
            {
                _tuis.Remove(channel);
                _terminals.Remove(channel);
            }
        }
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
