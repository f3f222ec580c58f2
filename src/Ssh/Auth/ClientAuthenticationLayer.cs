using System.Threading.Channels;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Transport;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Auth;

/// <summary>
/// Client side of user authentication: "none" to learn the methods, then publickey for each key
/// (query, then signed), then keyboard-interactive, following partial success. The service
/// request for "ssh-userauth" belongs to the transport and must have been accepted before
/// <see cref="AuthenticateAsync"/> runs.
/// </summary>
public sealed class ClientAuthenticationLayer : ISshMessageHandler
{
    private const int MaxQueuedMessages = 64;
    /// <summary>OpenSSH's NumberOfPasswordPrompts default, applied to keyboard-interactive requests.</summary>
    private const int MaxKeyboardInteractiveTries = 3;

    private readonly ISshTransport _transport;
    private readonly string _username;
    private readonly IReadOnlyList<SshPrivateKey> _keys;
    private readonly Func<KeyboardInteractivePrompt, ValueTask<string[]>>? _keyboardInteractive;
    private readonly IReadOnlyList<string>? _serverSignatureAlgorithms;
    private readonly Channel<byte[]> _inbox = Channel.CreateBounded<byte[]>(
        new BoundedChannelOptions(MaxQueuedMessages) { SingleReader = true, SingleWriter = true });
    private readonly List<string> _methodsPassed = [];
    private int _started;
    private volatile bool _finished;
    private volatile bool _authenticated;

    public ClientAuthenticationLayer(ISshTransport transport, string username, IReadOnlyList<SshPrivateKey> keys,
        Func<KeyboardInteractivePrompt, ValueTask<string[]>>? keyboardInteractive = null,
        IReadOnlyList<string>? serverSignatureAlgorithms = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(keys);
        _transport = transport;
        _username = username;
        _keys = keys;
        _keyboardInteractive = keyboardInteractive;
        _serverSignatureAlgorithms = serverSignatureAlgorithms;
    }

    /// <summary>Raised (on the authenticating task) for each USERAUTH_BANNER.</summary>
    public event Action<string>? BannerReceived;

    /// <summary>Methods that passed, in order, once <see cref="AuthenticateAsync"/> has succeeded.</summary>
    public IReadOnlyList<string> MethodsPassed => _methodsPassed;

    /// <summary>
    /// True from the moment USERAUTH_SUCCESS is received, set on the receive loop itself: a router
    /// can send the messages that follow (sshd's <c>hostkeys-00@openssh.com</c> global request comes
    /// right after) to the connection layer before <see cref="AuthenticateAsync"/> has returned.
    /// </summary>
    public bool IsAuthenticated => _authenticated;

    public ValueTask HandleMessageAsync(ReadOnlyMemory<byte> payload)
    {
        if (_finished || _authenticated) return ValueTask.CompletedTask;
        if (payload.IsEmpty) throw new SshProtocolException(DisconnectReason.ProtocolError, "empty message");
        if (payload.Length == 1 && payload.Span[0] == SshMessageNumber.UserAuthSuccess && Volatile.Read(ref _started) != 0) _authenticated = true;
        if (!_inbox.Writer.TryWrite(payload.ToArray()))
            throw new SshProtocolException(DisconnectReason.ProtocolError, "too many unsolicited authentication messages");
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Authenticates or throws: <see cref="SshAuthenticationException"/> when no method worked,
    /// <see cref="SshProtocolException"/> on a malformed reply, <see cref="SshConnectionClosedException"/>
    /// when the connection ends (e.g. the server's "Too many authentication failures"), and
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task AuthenticateAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) throw new InvalidOperationException("authentication already started");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _transport.Closed);
        var ct = linked.Token;
        try
        {
            await _transport.SendAsync(UserAuthMessages.NoneRequest(_username), ct).ConfigureAwait(false);
            var outcome = await ReadOutcomeAsync(ct).ConfigureAwait(false);
            var nextKey = 0;
            var keyboardTries = 0;
            var keyboardDropped = false;
            while (!outcome.Success)
            {
                var methods = outcome.Methods;
                string method;
                if (methods.Contains(SshAuthMethods.PublicKey) && NextUsableKey(ref nextKey) is { } key)
                {
                    method = SshAuthMethods.PublicKey;
                    outcome = await TryPublicKeyAsync(key.Key, key.Algorithm, ct).ConfigureAwait(false);
                }
                else if (methods.Contains(SshAuthMethods.KeyboardInteractive) && _keyboardInteractive is not null
                         && !keyboardDropped && keyboardTries < MaxKeyboardInteractiveTries)
                {
                    method = SshAuthMethods.KeyboardInteractive;
                    keyboardTries++;
                    (outcome, var sawRequest) = await TryKeyboardInteractiveAsync(ct).ConfigureAwait(false);
                    // As OpenSSH: a try that got no INFO_REQUEST will not get one next time either.
                    keyboardDropped = !outcome.Success && !sawRequest;
                }
                else
                {
                    throw new SshAuthenticationException(
                        $"Permission denied ({string.Join(',', methods)})", methods);
                }

                if (outcome.Success || outcome.PartialSuccess)
                {
                    _methodsPassed.Add(method);
                    // Start over with the new method list, every key eligible again (as OpenSSH).
                    nextKey = 0;
                    keyboardTries = 0;
                    keyboardDropped = false;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && _transport.Closed.IsCancellationRequested)
        {
            throw new SshConnectionClosedException("the connection closed during user authentication");
        }
        finally
        {
            _finished = true;
            _inbox.Writer.TryComplete();
        }
    }

    private (SshPrivateKey Key, string Algorithm)? NextUsableKey(ref int index)
    {
        while (index < _keys.Count)
        {
            var key = _keys[index++];
            if (ChooseAlgorithm(key) is { } algorithm) return (key, algorithm);
        }
        return null;
    }

    /// <summary>
    /// The signature algorithm to use: the key's strongest that the server listed in server-sig-algs
    /// (when known), never SHA-1 "ssh-rsa".
    /// </summary>
    private string? ChooseAlgorithm(SshPrivateKey key)
    {
        foreach (var candidate in key.SignatureAlgorithms)
        {
            var plain = UserAuthAlgorithms.ToSignatureAlgorithm(candidate);
            if (plain == UserAuthAlgorithms.RsaSha1) continue;
            if (!UserAuthAlgorithms.IsAccepted(plain)) continue;
            if (_serverSignatureAlgorithms is { } listed && !listed.Contains(plain)
                && !listed.Contains(UserAuthAlgorithms.ToUserAuthAlgorithm(key.PublicKey.KeyType, plain)))
                continue;
            return plain;
        }
        return null;
    }

    private async Task<Outcome> TryPublicKeyAsync(SshPrivateKey key, string signatureAlgorithm, CancellationToken ct)
    {
        var blob = key.PublicKey.Blob;
        var algorithm = UserAuthAlgorithms.ToUserAuthAlgorithm(key.PublicKey.KeyType, signatureAlgorithm);
        await _transport.SendAsync(UserAuthMessages.PublicKeyRequest(_username, algorithm, blob.Span, default, signed: false), ct).ConfigureAwait(false);
        while (true)
        {
            var message = await ReceiveAsync(ct).ConfigureAwait(false);
            if (message[0] == SshMessageNumber.UserAuthPkOk)
            {
                var r = new SshReader(message);
                r.ReadByte();
                var okAlgorithm = r.ReadString();
                var okBlob = r.ReadBinary();
                r.EnsureEnd();
                if (okAlgorithm != algorithm || !okBlob.SequenceEqual(blob.Span))
                    throw new SshProtocolException(DisconnectReason.ProtocolError, "USERAUTH_PK_OK for a key that was not offered");
                break;
            }
            if (ParseOutcome(message) is { } refused) return refused;
        }

        var data = UserAuthMessages.PublicKeySignedData(_transport.SessionId.Span, _username, SshAuthMethods.ConnectionService, algorithm, blob.Span);
        var signature = key.Sign(signatureAlgorithm, data);
        await _transport.SendAsync(UserAuthMessages.PublicKeyRequest(_username, algorithm, blob.Span, signature, signed: true), ct).ConfigureAwait(false);
        return await ReadOutcomeAsync(ct).ConfigureAwait(false);
    }

    private async Task<(Outcome Outcome, bool SawRequest)> TryKeyboardInteractiveAsync(CancellationToken ct)
    {
        await _transport.SendAsync(UserAuthMessages.KeyboardInteractiveRequest(_username), ct).ConfigureAwait(false);
        var sawRequest = false;
        while (true)
        {
            var message = await ReceiveAsync(ct).ConfigureAwait(false);
            if (message[0] == SshMessageNumber.UserAuthInfoRequest)
            {
                sawRequest = true;
                var prompt = ParseInfoRequest(message);
                var responses = await _keyboardInteractive!(prompt).ConfigureAwait(false)
                                ?? throw new InvalidOperationException("the keyboard-interactive callback returned null");
                if (responses.Length != prompt.Prompts.Count)
                    throw new InvalidOperationException($"the keyboard-interactive callback gave {responses.Length} responses to {prompt.Prompts.Count} prompts");
                await _transport.SendAsync(UserAuthMessages.InfoResponse(responses), ct).ConfigureAwait(false);
                continue;
            }
            if (ParseOutcome(message) is { } outcome) return (outcome, sawRequest);
        }
    }

    private static KeyboardInteractivePrompt ParseInfoRequest(ReadOnlySpan<byte> message)
    {
        var r = new SshReader(message);
        r.ReadByte();
        var name = r.ReadString();
        var instruction = r.ReadString();
        var language = r.ReadString();
        var count = r.ReadUInt32();
        if (count > UserAuthMessages.MaxPrompts)
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"INFO_REQUEST with {count} prompts");
        var prompts = new SshPrompt[count];
        for (var i = 0; i < prompts.Length; i++) prompts[i] = new SshPrompt(r.ReadString(), r.ReadBoolean());
        r.EnsureEnd();
        return new KeyboardInteractivePrompt(name, instruction, language, prompts);
    }

    private async Task<Outcome> ReadOutcomeAsync(CancellationToken ct)
    {
        while (true)
        {
            var message = await ReceiveAsync(ct).ConfigureAwait(false);
            if (ParseOutcome(message) is { } outcome) return outcome;
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"unexpected message {message[0]} during user authentication");
        }
    }

    /// <summary>SUCCESS or FAILURE as an outcome; null for anything else.</summary>
    private static Outcome? ParseOutcome(ReadOnlySpan<byte> message)
    {
        var r = new SshReader(message);
        switch (r.ReadByte())
        {
            case SshMessageNumber.UserAuthSuccess:
                r.EnsureEnd();
                return new Outcome(true, false, []);
            case SshMessageNumber.UserAuthFailure:
                var methods = r.ReadNameList();
                var partial = r.ReadBoolean();
                r.EnsureEnd();
                return new Outcome(false, partial, methods);
            case SshMessageNumber.UserAuthPkOk:
                // 60 outside the exchange that expects it.
                throw new SshProtocolException(DisconnectReason.ProtocolError, "unexpected message 60 during user authentication");
            default:
                throw new SshProtocolException(DisconnectReason.ProtocolError, $"unexpected message {message[0]} during user authentication");
        }
    }

    /// <summary>The next reply, with banners handled on the way.</summary>
    private async Task<byte[]> ReceiveAsync(CancellationToken ct)
    {
        while (true)
        {
            byte[] message;
            try
            {
                message = await _inbox.Reader.ReadAsync(ct).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                throw new SshConnectionClosedException("the connection closed during user authentication");
            }
            if (message[0] != SshMessageNumber.UserAuthBanner) return message;
            var r = new SshReader(message);
            r.ReadByte();
            var text = r.ReadString();
            r.ReadString();
            r.EnsureEnd();
            BannerReceived?.Invoke(text);
        }
    }

    private readonly record struct Outcome(bool Success, bool PartialSuccess, string[] Methods);
}
