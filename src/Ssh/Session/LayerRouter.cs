using Gateway.Ssh.Connection;
using Gateway.Ssh.Transport;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Session;

/// <summary>
/// Sends each inbound message to the layer that owns its number: authentication (50–79) until it
/// has succeeded, then the connection layer (80 and above). A connection message before
/// authentication has succeeded is a protocol violation (RFC 4252 §6). Used by both roles.
/// </summary>
internal sealed class LayerRouter : ISshMessageHandler
{
    private readonly ISshMessageHandler _authentication;
    private readonly Func<bool> _authenticated;
    private readonly Func<SshConnection> _createConnection;
    private readonly Lock _gate = new();
    private SshConnection? _connection;

    /// <param name="authenticated">
    /// True from the moment authentication has succeeded, as seen on the receive loop: the peer may
    /// send connection messages right behind USERAUTH_SUCCESS (sshd sends hostkeys-00 there).
    /// </param>
    public LayerRouter(ISshMessageHandler authentication, Func<bool> authenticated, Func<SshConnection> createConnection)
    {
        _authentication = authentication;
        _authenticated = authenticated;
        _createConnection = createConnection;
    }

    /// <summary>The connection layer, created on first use once authentication has succeeded.</summary>
    public SshConnection Connection
    {
        get
        {
            if (!_authenticated())
                throw new InvalidOperationException("the connection layer exists only after authentication");
            lock (_gate)
            {
                return _connection ??= _createConnection();
            }
        }
    }

    public SshConnection? ConnectionIfCreated
    {
        get { lock (_gate) return _connection; }
    }

    public ValueTask HandleMessageAsync(ReadOnlyMemory<byte> payload)
    {
        if (payload.IsEmpty)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "empty message");
        var number = payload.Span[0];
        if (number < SshMessageNumber.GlobalRequest)
            return _authentication.HandleMessageAsync(payload);
        if (!_authenticated())
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"message {number} before authentication completed");
        return Connection.HandleMessageAsync(payload);
    }
}
