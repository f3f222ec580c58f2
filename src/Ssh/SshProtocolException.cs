namespace Gateway.Ssh;

/// <summary>
/// A violation of the protocol by the peer (or a failed negotiation). It ends the one connection
/// it happened on, with a DISCONNECT carrying <see cref="Reason"/> and the message.
/// </summary>
public class SshProtocolException : Exception
{
    public SshProtocolException(DisconnectReason reason, string message) : base(message) => Reason = reason;

    public SshProtocolException(DisconnectReason reason, string message, Exception inner) : base(message, inner) => Reason = reason;

    public DisconnectReason Reason { get; }
}

/// <summary>The connection ended: the peer disconnected, the socket closed, or we disconnected.</summary>
public sealed class SshConnectionClosedException : Exception
{
    public SshConnectionClosedException(string message, DisconnectReason reason = DisconnectReason.ConnectionLost, Exception? inner = null)
        : base(message, inner) => Reason = reason;

    public DisconnectReason Reason { get; }
}
