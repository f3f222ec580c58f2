using System.Net;
using System.Net.Sockets;
using Gateway.Ssh.Crypto;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Transport;

/// <summary>
/// The SSH transport layer (RFC 4253 with OpenSSH's strict KEX and EXT_INFO) in either role.
/// One receive loop reads, decrypts and dispatches; one writer task seals and coalesces
/// outgoing packets. Key exchanges (initial and rekeys, started by either side) run on the
/// receive loop while application messages are held back in their queues.
/// </summary>
/// <remarks>
/// <see cref="Completion"/> ends normally after our own <see cref="DisconnectAsync"/>, with
/// <see cref="SshConnectionClosedException"/> when the peer disconnected or the connection was
/// lost, and with <see cref="SshProtocolException"/> when the peer broke the protocol (after we
/// sent it a DISCONNECT with the reason).
/// </remarks>
public sealed partial class SshTransport : ISshTransport, IAsyncDisposable
{
    private static readonly TimeSpan DisconnectFlushTimeout = TimeSpan.FromSeconds(2);

    /// <summary>DisposeAsync waits this long for a message handler that is still running.</summary>
    private static readonly TimeSpan DisposeWaitLimit = TimeSpan.FromSeconds(5);

    private readonly Stream _stream;

    /// <summary>The socket under a NetworkStream: written with gathering sends and closed with the connection.</summary>
    private readonly Socket? _socket;
    private readonly SshTransportOptions _options;
    private readonly SshAlgorithmPreferences _algorithms;
    private readonly CancellationTokenSource _closedCts = new();
    private readonly TaskCompletionSource _firstKexTcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _startedTcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _kexLock = new();
    private readonly Timer _rekeyTimer;
    private readonly Timer _kexTimeoutTimer;

    private Task _receiveTask = Task.CompletedTask;
    private Task _writerTask = Task.CompletedTask;
    private Task? _completion;
    private ISshMessageHandler? _handler;
    private volatile bool _started;
    private volatile bool _loopsStarted;
    private byte[] _sessionId = [];
    private int _failureClaimed;
    private Exception? _failure;
    private int _tornDown;

    private SshTransport(Stream stream, SshTransportOptions options, EndPoint? remoteEndPoint, bool isServer)
    {
        _stream = stream;
        _options = options;
        _algorithms = options.Algorithms.Clone();
        IsServer = isServer;
        RemoteEndPoint = remoteEndPoint;
        LocalVersion = "SSH-2.0-" + options.SoftwareVersion;
        _input = new TransportInputBuffer(stream);
        _inCipher = CipherAlgorithms.CreateNone();
        _outCipher = CipherAlgorithms.CreateNone();
        _sendCapacity = new SemaphoreSlim(options.OutboundQueueLimit);
        _rekeyTimer = new Timer(static s => ((SshTransport)s!).OnRekeyTimer(), this, Timeout.Infinite, Timeout.Infinite);
        _kexTimeoutTimer = new Timer(static s => ((SshTransport)s!).OnKexTimeout(), this, Timeout.Infinite, Timeout.Infinite);
        if (stream is NetworkStream network)
        {
            _socket = network.Socket;
            try { _socket.NoDelay = true; }
            catch (SocketException) { }
            catch (ObjectDisposedException) { }
        }
    }

    public bool IsServer { get; }

    public ReadOnlyMemory<byte> SessionId => _sessionId;

    /// <summary>Our identification line without CR LF.</summary>
    public string LocalVersion { get; }

    public string RemoteVersion { get; private set; } = "";

    public EndPoint? RemoteEndPoint { get; }

    public CancellationToken Closed => _closedCts.Token;

    /// <summary>Completes when the connection has ended and both loops have stopped; see the class remarks.</summary>
    public Task Completion => _completion ?? Task.CompletedTask;

    /// <summary>The algorithms of the key exchange that completed last.</summary>
    public NegotiatedAlgorithms? NegotiatedAlgorithms { get; private set; }

    /// <summary>Whether both sides agreed on strict KEX (kex-strict-*-v00@openssh.com) in the first key exchange.</summary>
    public bool IsStrictKex => _strict;

    /// <summary>How many key exchanges have completed (1 after the handshake).</summary>
    public int KeyExchangeCount => _kexCount;

    /// <summary>Client role: the server's verified host key.</summary>
    public SshPublicKey? ServerHostKey => _serverHostKey;

    /// <summary>
    /// Client role: <c>server-sig-algs</c> from the server's EXT_INFO, or null when it sent none.
    /// The EXT_INFO follows the server's first NEWKEYS, so it is known at the latest once
    /// <see cref="RequestServiceAsync"/> has completed.
    /// </summary>
    public IReadOnlyList<string>? ServerSignatureAlgorithms { get; private set; }

    /// <summary>Optional diagnostics (negotiated algorithms, peer DEBUG/UNIMPLEMENTED, disconnect reasons).</summary>
    public event Action<string>? Log;

    /// <summary>Server role: runs the version exchange and the first key exchange, then returns the running transport.</summary>
    public static Task<SshTransport> AcceptAsync(Stream stream, SshTransportOptions options, EndPoint? remoteEndPoint = null, CancellationToken cancellationToken = default)
        => OpenAsync(stream, options, remoteEndPoint, isServer: true, cancellationToken);

    /// <summary>Client role: runs the version exchange and the first key exchange (host key checked by <see cref="SshTransportOptions.HostKeyVerifier"/>).</summary>
    public static Task<SshTransport> ConnectAsync(Stream stream, SshTransportOptions options, EndPoint? remoteEndPoint = null, CancellationToken cancellationToken = default)
        => OpenAsync(stream, options, remoteEndPoint, isServer: false, cancellationToken);

    private static async Task<SshTransport> OpenAsync(Stream stream, SshTransportOptions options, EndPoint? remoteEndPoint, bool isServer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(isServer);
        var transport = new SshTransport(stream, options, remoteEndPoint, isServer);
        if (isServer && transport.ServerHostKeyAlgorithms().Count == 0)
            throw new ArgumentException("none of the host keys can sign with an algorithm in Algorithms.HostKey", nameof(options));
        await transport.HandshakeAsync(cancellationToken).ConfigureAwait(false);
        return transport;
    }

    /// <summary>
    /// Starts dispatching messages numbered 50 and above to <paramref name="handler"/>, one at a
    /// time and in order, on the receive loop. Until then such messages wait. Rekeys by volume
    /// and time start once Start was called and USERAUTH_SUCCESS has passed (see <see cref="IsAuthenticated"/>).
    /// </summary>
    public void Start(ISshMessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (Interlocked.CompareExchange(ref _handler, handler, null) is not null)
            throw new InvalidOperationException("Start was already called");
        _started = true;
        _startedTcs.TrySetResult();
        ArmRekeyTimer();
    }

    /// <summary>
    /// Sends DISCONNECT (waiting at most a moment for it to leave) and closes the connection. Safe
    /// to call from a message handler: it does not wait for the receive loop; await
    /// <see cref="Completion"/> for that.
    /// </summary>
    public Task DisconnectAsync(DisconnectReason reason, string description) =>
        DisconnectCoreAsync(reason, description ?? "", failure: null);

    /// <summary>Disconnects if still open and waits (bounded) for both loops to stop.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_tornDown == 0 && _completion is not null)
            await DisconnectAsync(DisconnectReason.ByApplication, "closing").ConfigureAwait(false);
        else
            Close(null);
        var ended = Completion.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        await Task.WhenAny(ended, Task.Delay(DisposeWaitLimit)).ConfigureAwait(false);
    }

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.HandshakeTimeout);
        try
        {
            await ExchangeVersionsAsync(timeout.Token).ConfigureAwait(false);
            // Our KEXINIT is queued before anything the peer sends can be handled, so it always
            // precedes a DISCONNECT we might answer with.
            _ = BeginKex();
            _loopsStarted = true;
            _writerTask = Task.Run(WriterLoopAsync, CancellationToken.None);
            _receiveTask = Task.Run(ReceiveLoopAsync, CancellationToken.None);
            _completion = RunCompletionAsync();
            await _firstKexTcs.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var failure = ex switch
            {
                OperationCanceledException when cancellationToken.IsCancellationRequested =>
                    new SshConnectionClosedException("handshake cancelled", DisconnectReason.ByApplication, ex),
                OperationCanceledException =>
                    new SshConnectionClosedException($"handshake did not complete within {_options.HandshakeTimeout.TotalSeconds:0.#} s", DisconnectReason.ConnectionLost, ex),
                SshProtocolException or SshConnectionClosedException => ex,
                _ => new SshConnectionClosedException("connection lost during handshake: " + ex.Message, DisconnectReason.ConnectionLost, ex),
            };
            if (_completion is null)
            {
                Close(failure);
                _input.Dispose();
            }
            else
            {
                // A timeout or cancellation is told to the peer (bounded); a failure of the
                // receive loop has already been disconnected and closed, which makes this a no-op.
                var reason = failure is SshConnectionClosedException { Reason: DisconnectReason.ByApplication }
                    ? DisconnectReason.ByApplication
                    : DisconnectReason.KeyExchangeFailed;
                await DisconnectCoreAsync(reason, failure.Message, failure).ConfigureAwait(false);
                await Completion.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            }
            if (cancellationToken.IsCancellationRequested) throw new OperationCanceledException("SSH handshake cancelled", ex, cancellationToken);
            throw _failure ?? failure;
        }
    }

    private async Task ExchangeVersionsAsync(CancellationToken cancellationToken)
    {
        var line = System.Text.Encoding.ASCII.GetBytes(LocalVersion + "\r\n");
        await _stream.WriteAsync(line, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);

        // RFC 4253 §4.2: a server may send other lines first; a client may not.
        const int maxLines = 1024;
        for (var i = 0; ; i++)
        {
            var text = await _input.ReadLineAsync(255, cancellationToken).ConfigureAwait(false);
            if (text.StartsWith("SSH-", StringComparison.Ordinal))
            {
                RemoteVersion = text;
                break;
            }
            if (IsServer)
                throw new SshProtocolException(DisconnectReason.ProtocolError, "client did not start with an SSH identification line");
            if (i + 1 >= maxLines)
                throw new SshProtocolException(DisconnectReason.ProtocolError, $"no SSH identification line within {maxLines} lines");
        }

        var rest = RemoteVersion.AsSpan(4);
        var dash = rest.IndexOf('-');
        var protocol = dash < 0 ? rest.ToString() : rest[..dash].ToString();
        if (dash < 0 || (protocol != "2.0" && protocol != "1.99"))
            throw new SshProtocolException(DisconnectReason.ProtocolVersionNotSupported,
                $"unsupported SSH protocol version '{PeerText.Sanitize(protocol)}' (peer sent '{PeerText.Sanitize(RemoteVersion)}')");
        Trace($"peer identification: {PeerText.Sanitize(RemoteVersion)}");
    }

    private async Task RunCompletionAsync()
    {
        await Task.WhenAll(_receiveTask, _writerTask).ConfigureAwait(false);
        var failure = _failure;
        if (failure is not null) throw failure;
    }

    /// <summary>Claims the outcome of the connection; the first caller wins.</summary>
    private bool TryClaimFailure(Exception? failure)
    {
        if (Interlocked.CompareExchange(ref _failureClaimed, 1, 0) != 0) return false;
        _failure = failure switch
        {
            null or SshProtocolException or SshConnectionClosedException => failure,
            _ => new SshConnectionClosedException(failure.Message, DisconnectReason.ConnectionLost, failure),
        };
        if (_failure is not null) Trace("connection ends: " + _failure.Message);
        return true;
    }

    private bool IsClosing => Volatile.Read(ref _failureClaimed) != 0 || Volatile.Read(ref _tornDown) != 0;

    /// <summary>Sends DISCONNECT (waiting at most a moment for it to leave), then closes.</summary>
    private async Task DisconnectCoreAsync(DisconnectReason reason, string description, Exception? failure)
    {
        if (!TryClaimFailure(failure) || Volatile.Read(ref _tornDown) != 0 || !_loopsStarted)
        {
            Close(failure);
            return;
        }
        var payload = SshMessageBuilder.Build(SshMessageNumber.Disconnect, w =>
        {
            w.WriteUInt32((uint)reason);
            w.WriteString(description.Length > 256 ? description[..256] : description);
            w.WriteString("");
        });
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        EnqueueTransport(OutboundItem.Create(payload, OutboundKind.Disconnect, written));
        await Task.WhenAny(written.Task, Task.Delay(DisconnectFlushTimeout, _closedCts.Token)).ConfigureAwait(false);
        Close(failure);
    }

    /// <summary>Tears the connection down once: closes the stream, which ends both loops, and fails every waiter.</summary>
    private void Close(Exception? failure)
    {
        TryClaimFailure(failure);
        if (Interlocked.Exchange(ref _tornDown, 1) != 0) return;
        var error = _failure ?? new SshConnectionClosedException("connection closed", DisconnectReason.ByApplication);
        _doorbell.Writer.TryComplete();
        try { _stream.Dispose(); }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException) { }
        // The transport owns the connection even when the NetworkStream does not own its socket.
        try { _socket?.Dispose(); }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException) { }
        _rekeyTimer.Dispose();
        _kexTimeoutTimer.Dispose();
        _firstKexTcs.TrySetException(error);
        lock (_kexLock) _round?.Completion.TrySetException(error);
        Interlocked.Exchange(ref _serviceTcs, null)?.TrySetException(error);
        try { _closedCts.Cancel(); }
        catch (AggregateException ex) { Trace("a Closed callback failed: " + ex.InnerException?.Message); }
    }

    private void Trace(string message)
    {
        var log = Log;
        if (log is null) return;
        try { log(message); }
        catch (Exception) { /* diagnostics must never break the connection */ }
    }

}
