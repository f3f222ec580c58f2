namespace Gateway.Ssh.Connection;

/// <summary>
/// Decisions of the application about what the peer asks for. Every method has a default that
/// refuses, so a handler implements only what it allows. Callbacks are started on the
/// transport's receive loop but not awaited there: they may take their time (replies are still
/// sent in request order, as OpenSSH matches them FIFO), yet must never block synchronously.
/// Channel I/O belongs in tasks they start, e.g. from <see cref="ChannelOpenDecision.OnOpened"/>.
/// </summary>
public interface ISshConnectionHandler
{
    ValueTask<RemoteForwardDecision> OnRemoteForwardRequestAsync(RemoteForwardRequest request)
        => ValueTask.FromResult(RemoteForwardDecision.Refuse("remote forwarding is not allowed"));

    /// <summary>Called only for a forward that this connection accepted earlier.</summary>
    ValueTask<bool> OnCancelRemoteForwardAsync(string bindAddress, uint port) => ValueTask.FromResult(true);

    /// <summary>
    /// "session" (when allowed), "direct-tcpip" (only with AllowDirectTcpIp) and "forwarded-tcpip"
    /// (only for a forward this side requested) reach here; everything else is refused before.
    /// </summary>
    ValueTask<ChannelOpenDecision> OnChannelOpenAsync(ChannelOpenRequest request)
        => ValueTask.FromResult(ChannelOpenDecision.Refuse());

    /// <summary>An accepted channel, before its confirmation goes out.</summary>
    void OnChannelOpened(SshChannel channel) { }

    /// <summary>Session requests (pty-req, shell, exec, env, window-change, signal, subsystem, others).</summary>
    ValueTask<bool> OnChannelRequestAsync(SshChannel channel, ChannelRequest request) => ValueTask.FromResult(false);

    /// <summary>Global requests other than tcpip-forward, cancel-tcpip-forward and no-more-sessions.</summary>
    ValueTask<(bool Success, byte[] Data)> OnGlobalRequestAsync(string name, ReadOnlyMemory<byte> data)
        => ValueTask.FromResult((false, Array.Empty<byte>()));
}

/// <summary>Refuses everything; useful as a base or for a pure client.</summary>
public class SshConnectionHandler : ISshConnectionHandler
{
}
