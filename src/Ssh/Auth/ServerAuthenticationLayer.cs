using System.Net;
using System.Threading.Channels;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Transport;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Auth;

/// <summary>
/// Server side of the user authentication protocol (RFC 4252, RFC 4256, OpenSSH certificates).
/// Messages are parsed on the transport's receive loop; requests are then decided on a worker of
/// their own, so a callback that waits (an outside sign-in) never stalls the receive loop and
/// INFO_RESPONSE messages keep flowing to it.
/// </summary>
public sealed class ServerAuthenticationLayer : ISshMessageHandler, IDisposable
{
    private const int MaxQueuedRequests = 16;

    private readonly ISshTransport _transport;
    private readonly SshServerAuthOptions _options;
    private readonly TaskCompletionSource<SshAuthenticatedUser> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<UserAuthRequest> _requests = Channel.CreateBounded<UserAuthRequest>(
        new BoundedChannelOptions(MaxQueuedRequests) { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _lifetime;
    private readonly CancellationTokenSource _graceTimer;
    private readonly object _gate = new();

    // Guarded by _gate: the keyboard-interactive attempt in progress and its outstanding prompt.
    private CancellationTokenSource? _interactiveAttempt;
    private PendingPrompt? _pendingPrompt;
    // INFO_REQUESTs sent whose INFO_RESPONSE has not arrived; a late response to a prompt the
    // callback gave up on is dropped rather than treated as a protocol violation.
    private int _owedResponses;

    private int _finished;

    // Worker-only state.
    private string? _username;
    private readonly List<string> _methodsPassed = [];
    private readonly Dictionary<string, string> _properties = new(StringComparer.Ordinal);
    private object? _identity;
    private SshPublicKey? _publicKey;
    private SshCertificate? _certificate;
    private int _failures;
    private int _attempts;
    private bool _bannerSent;

    public ServerAuthenticationLayer(ISshTransport transport, SshServerAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Authenticator);
        if (options.MaxAuthFailures < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxAuthFailures must be at least 1");
        if (options.MaxAuthAttempts < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxAuthAttempts must be at least 1");
        if (options.KeyboardInteractiveHeartbeat <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(options), "KeyboardInteractiveHeartbeat must be positive");
        _transport = transport;
        _options = options;
        _lifetime = CancellationTokenSource.CreateLinkedTokenSource(transport.Closed);
        _graceTimer = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
        _ = RunWorkerAsync();
        _ = RunGraceTimerAsync();
    }

    /// <summary>
    /// Completes with the authenticated user right before USERAUTH_SUCCESS is sent; faults with
    /// <see cref="SshProtocolException"/> when a limit, the grace time or bad input ends the
    /// connection, and is cancelled if the connection closes first.
    /// </summary>
    public Task<SshAuthenticatedUser> Completion => _completion.Task;

    private bool IsFinished => Volatile.Read(ref _finished) != 0;

    public ValueTask HandleMessageAsync(ReadOnlyMemory<byte> payload)
    {
        // After success, RFC 4252 §5.1 says further requests are silently ignored.
        if (IsFinished) return ValueTask.CompletedTask;
        try
        {
            Dispatch(payload.Span);
            return ValueTask.CompletedTask;
        }
        catch (SshProtocolException ex)
        {
            // The transport disconnects with the exception's reason; record the outcome here.
            if (Interlocked.Exchange(ref _finished, 1) == 0)
            {
                _completion.TrySetException(ex);
                _lifetime.Cancel();
            }
            throw;
        }
    }

    private void Dispatch(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty) throw new SshProtocolException(DisconnectReason.ProtocolError, "empty message");
        switch (payload[0])
        {
            case SshMessageNumber.UserAuthRequest:
            {
                var request = UserAuthRequest.Parse(payload);
                lock (_gate)
                {
                    // A new request abandons a keyboard-interactive exchange in progress (RFC 4256 §3.4).
                    _interactiveAttempt?.Cancel();
                    _owedResponses = 0;
                }
                // The writer is completed once authentication has succeeded: then the request is ignored.
                if (!_requests.Writer.TryWrite(request) && !IsFinished)
                    throw new SshProtocolException(DisconnectReason.ProtocolError, "too many authentication requests without waiting for replies");
                break;
            }
            case SshMessageNumber.UserAuthInfoResponse:
            {
                PendingPrompt? prompt;
                lock (_gate)
                {
                    if (_owedResponses == 0)
                        throw new SshProtocolException(DisconnectReason.ProtocolError, "USERAUTH_INFO_RESPONSE without an INFO_REQUEST");
                    _owedResponses--;
                    prompt = _pendingPrompt;
                    _pendingPrompt = null;
                }
                var responses = ParseInfoResponse(payload, prompt?.PromptCount ?? -1);
                prompt?.Complete(responses);
                break;
            }
            default:
                throw new SshProtocolException(DisconnectReason.ProtocolError, $"unexpected message {payload[0]} during user authentication");
        }
    }

    /// <summary>Null when the count differs from the prompts (a failure of the attempt, not of the protocol).</summary>
    private static string[]? ParseInfoResponse(ReadOnlySpan<byte> payload, int expected)
    {
        var r = new SshReader(payload);
        r.ReadByte();
        var count = r.ReadUInt32();
        if (count > UserAuthMessages.MaxPrompts)
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"INFO_RESPONSE with {count} responses");
        var responses = new string[count];
        for (var i = 0; i < responses.Length; i++) responses[i] = r.ReadString();
        r.EnsureEnd();
        return count == expected ? responses : null;
    }

    private async Task RunWorkerAsync()
    {
        try
        {
            while (await _requests.Reader.WaitToReadAsync(_lifetime.Token).ConfigureAwait(false))
            {
                while (_requests.Reader.TryRead(out var request))
                {
                    if (IsFinished) return;
                    await ProcessAsync(request).ConfigureAwait(false);
                }
            }
        }
        catch (SshProtocolException ex)
        {
            await FailAsync(ex).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            // A failure already decided the outcome (and faults Completion after DISCONNECT);
            // otherwise the connection closed under us.
            if (!IsFinished) _completion.TrySetCanceled(_lifetime.Token);
        }
        catch (Exception ex)
        {
            // Sending failed because the connection went away, or a bug: either way this
            // connection's authentication is over and must not hang.
            if (_lifetime.IsCancellationRequested)
            {
                if (!IsFinished) _completion.TrySetCanceled(_lifetime.Token);
            }
            else
                await FailAsync(new SshProtocolException(DisconnectReason.ByApplication, "authentication failed: " + ex.Message, ex)).ConfigureAwait(false);
        }
    }

    private async Task RunGraceTimerAsync()
    {
        try
        {
            await Task.Delay(_options.LoginGraceTime, _graceTimer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        await FailAsync(new SshProtocolException(DisconnectReason.ByApplication, "Timeout before authentication")).ConfigureAwait(false);
    }

    /// <summary>Ends authentication: DISCONNECT is sent first, then <see cref="Completion"/> faults.</summary>
    private async Task FailAsync(SshProtocolException ex)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0) return;
        Trace("disconnecting: " + ex.Message);
        _lifetime.Cancel();
        try
        {
            await _transport.DisconnectAsync(ex.Reason, ex.Message).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Best effort: the connection may already be gone; the outcome is the same.
        }
        _completion.TrySetException(ex);
    }

    private SshAuthState State() =>
        new(_username!, SshAuthMethods.ConnectionService, _transport.RemoteEndPoint, _methodsPassed.ToArray(), _failures, _attempts, _identity, _publicKey);

    private IReadOnlyList<string> OfferedMethods(SshAuthState state) =>
        _options.Authenticator.GetMethods(state).Where(SshAuthMethods.IsImplemented).Distinct(StringComparer.Ordinal).ToArray();

    private async Task ProcessAsync(UserAuthRequest request)
    {
        _attempts++;
        if (_attempts > _options.MaxAuthAttempts)
            throw new SshProtocolException(DisconnectReason.NoMoreAuthMethodsAvailable, "Too many authentication attempts");
        if (request.Service != SshAuthMethods.ConnectionService)
            throw new SshProtocolException(DisconnectReason.ServiceNotAvailable, $"Unsupported service {PeerText.Sanitize(request.Service)}");

        if (_username is null || (_methodsPassed.Count == 0 && request.User != _username))
        {
            _username = request.User;
        }
        else if (request.User != _username)
        {
            // The steps of a multi-method login must all be for one user (as Go's server does).
            await CountFailureAsync(OfferedMethods(State())).ConfigureAwait(false);
            return;
        }

        var state = State();
        var methods = OfferedMethods(state);
        switch (request.Method)
        {
            case SshAuthMethods.None:
                // Clients start with "none" to learn the methods; it is not a failure (OpenSSH).
                await SendReplyAsync(UserAuthMessages.Failure(methods, false)).ConfigureAwait(false);
                break;
            case var method when !methods.Contains(method, StringComparer.Ordinal):
                await CountFailureAsync(methods).ConfigureAwait(false);
                break;
            case SshAuthMethods.PublicKey:
                await PublicKeyAsync(request, state, methods).ConfigureAwait(false);
                break;
            case SshAuthMethods.KeyboardInteractive:
                await KeyboardInteractiveAsync(request, state, methods).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// In auth2-pubkey.c's order: the library's own checks (algorithm, key, certificate), then
    /// whether the key is authorized at all, and only then the signature, the one costly step.
    /// Every refusal, a refused query included, counts as a failure (as in OpenSSH).
    /// </summary>
    private async Task PublicKeyAsync(UserAuthRequest request, SshAuthState state, IReadOnlyList<string> methods)
    {
        var algorithm = request.Algorithm;
        var key = CheckPublicKey(request, state);
        if (key is null)
        {
            await CountFailureAsync(methods).ConfigureAwait(false);
            return;
        }
        var certificate = key as SshCertificate;
        var plainKey = certificate?.Key ?? key;

        var context = new PublicKeyAuthContext(state, algorithm, key, plainKey, certificate, request.HasSignature);
        var decision = await DecideAsync(ct => _options.Authenticator.AuthenticatePublicKeyAsync(context, ct), _lifetime.Token).ConfigureAwait(false);
        if (decision.Kind == AuthDecisionKind.Failure)
        {
            Trace($"publickey {key.KeyType} {SshKeys.Fingerprint(plainKey)} is not authorized");
            await ShowAsync(decision).ConfigureAwait(false);
            await CountFailureAsync(methods).ConfigureAwait(false);
            return;
        }
        if (!request.HasSignature)
        {
            // A query only asks whether the key would do; nothing is granted yet.
            await SendReplyAsync(UserAuthMessages.PkOk(algorithm, request.KeyBlob)).ConfigureAwait(false);
            return;
        }
        var signedData = UserAuthMessages.PublicKeySignedData(_transport.SessionId.Span, request.User, request.Service, algorithm, request.KeyBlob);
        if (!plainKey.Verify(UserAuthAlgorithms.ToSignatureAlgorithm(algorithm), signedData, request.Signature))
        {
            Trace($"publickey signature ({PeerText.Sanitize(algorithm)}) is invalid");
            await CountFailureAsync(methods).ConfigureAwait(false);
            return;
        }
        _publicKey = plainKey;
        _certificate = certificate;
        await ApplyAsync(SshAuthMethods.PublicKey, decision, methods).ConfigureAwait(false);
    }

    /// <summary>The library's own checks on a publickey request; null when the key must be refused.</summary>
    private SshPublicKey? CheckPublicKey(UserAuthRequest request, SshAuthState state)
    {
        var algorithm = request.Algorithm;
        if (!UserAuthAlgorithms.IsAccepted(algorithm))
            return Refused($"publickey algorithm {PeerText.Sanitize(algorithm)} is not accepted");
        SshPublicKey? key;
        try
        {
            if (!SshKeys.TryParsePublicKey(request.KeyBlob, out key) || key is null)
                return Refused($"publickey blob for {PeerText.Sanitize(algorithm)} could not be parsed");
        }
        catch (SshProtocolException ex)
        {
            return Refused($"publickey blob for {PeerText.Sanitize(algorithm)} could not be parsed: {ex.Message}");
        }
        if (key.KeyType != UserAuthAlgorithms.ExpectedKeyType(algorithm))
            return Refused($"publickey algorithm {PeerText.Sanitize(algorithm)} does not match key type {key.KeyType}");
        if (key is SshCertificate certificate)
        {
            SshCertificateValidation validation;
            try
            {
                validation = SshCertificateValidator.Validate(certificate, _options.TrustedUserCaKeys, SshCertificateType.User,
                    principal: null, SourceAddress(state.RemoteEndPoint), _options.Clock());
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Whatever the certificate holds, refusing it is the safe answer.
                return Refused($"certificate {PeerText.Sanitize(certificate.KeyId)} could not be validated: {ex.Message}");
            }
            if (!validation.Success)
                return Refused($"certificate {PeerText.Sanitize(certificate.KeyId)} refused: {validation.Error}");
        }
        return key;
    }

    private SshPublicKey? Refused(string reason)
    {
        Trace(reason);
        return null;
    }

    private void Trace(string message)
    {
        if (_options.Log is not { } log) return;
        try
        {
            log($"auth {PeerText.Sanitize(_username)}: {message}");
        }
        catch (Exception)
        {
            // A failing log sink must not change the outcome of authentication.
        }
    }


    private static IPAddress? SourceAddress(EndPoint? endPoint) =>
        endPoint is IPEndPoint ip ? (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address) : null;

    private async Task KeyboardInteractiveAsync(UserAuthRequest request, SshAuthState state, IReadOnlyList<string> methods)
    {
        var attempt = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
        lock (_gate) _interactiveAttempt = attempt;
        AuthDecision decision;
        try
        {
            var context = new KeyboardInteractiveContext(state, request.Submethods, this, attempt.Token);
            decision = await DecideAsync(ct => _options.Authenticator.AuthenticateKeyboardInteractiveAsync(context, ct), attempt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (attempt.IsCancellationRequested)
        {
            decision = AuthDecision.Failure;
        }
        catch (KeyboardInteractiveResponseException)
        {
            decision = AuthDecision.Failure;
        }
        finally
        {
            lock (_gate)
            {
                _interactiveAttempt = null;
                _pendingPrompt?.Cancel();
                _pendingPrompt = null;
            }
        }
        _lifetime.Token.ThrowIfCancellationRequested();
        if (attempt.IsCancellationRequested)
        {
            // Abandoned by a new request: that request gets the reply, this one gets none.
            attempt.Dispose();
            _failures++;
            if (_failures >= _options.MaxAuthFailures)
                throw new SshProtocolException(DisconnectReason.NoMoreAuthMethodsAvailable, "Too many authentication failures");
            return;
        }
        attempt.Dispose();
        await ApplyAsync(SshAuthMethods.KeyboardInteractive, decision, methods).ConfigureAwait(false);
    }

    internal async ValueTask<string[]> PromptAsync(string name, string instruction, IReadOnlyList<SshPrompt> prompts, CancellationToken attemptToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(instruction);
        if (prompts.Count > UserAuthMessages.MaxPrompts) throw new ArgumentOutOfRangeException(nameof(prompts), "too many prompts");
        attemptToken.ThrowIfCancellationRequested();
        var pending = new PendingPrompt(prompts.Count);
        lock (_gate)
        {
            if (_interactiveAttempt is null || _interactiveAttempt.Token != attemptToken)
                throw new InvalidOperationException("the keyboard-interactive attempt is over");
            if (_pendingPrompt is not null)
                throw new InvalidOperationException("a prompt is already outstanding");
            // Registered before sending: the response may arrive before SendAsync returns.
            _pendingPrompt = pending;
            _owedResponses++;
        }
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(attemptToken, cancellationToken);
            await using var registration = linked.Token.Register(static p => ((PendingPrompt)p!).Cancel(), pending).ConfigureAwait(false);
            await SendReplyAsync(UserAuthMessages.InfoRequest(name, instruction, prompts), linked.Token).ConfigureAwait(false);
            var responses = await pending.Task.ConfigureAwait(false);
            return responses ?? throw new KeyboardInteractiveResponseException("the number of responses differs from the number of prompts");
        }
        finally
        {
            lock (_gate)
            {
                if (ReferenceEquals(_pendingPrompt, pending)) _pendingPrompt = null;
            }
        }
    }

    private bool PromptOutstanding
    {
        get { lock (_gate) return _pendingPrompt is not null; }
    }

    /// <summary>Runs a callback, sending IGNORE heartbeats while it decides and no prompt is outstanding.</summary>
    private async Task<AuthDecision> DecideAsync(Func<CancellationToken, ValueTask<AuthDecision>> callback, CancellationToken cancellationToken)
    {
        Task<AuthDecision> decision;
        try
        {
            decision = callback(cancellationToken).AsTask();
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not KeyboardInteractiveResponseException)
        {
            return AuthDecision.Failure;
        }
        using var heartbeatStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        while (!decision.IsCompleted)
        {
            var heartbeat = Task.Delay(_options.KeyboardInteractiveHeartbeat, heartbeatStop.Token);
            var first = await Task.WhenAny(decision, heartbeat).ConfigureAwait(false);
            if (first == decision) break;
            if (cancellationToken.IsCancellationRequested)
            {
                // The callback ignores its token: do not wait for it, and observe its end.
                _ = decision.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
                cancellationToken.ThrowIfCancellationRequested();
            }
            if (!PromptOutstanding)
                await _transport.SendAsync(UserAuthMessages.Ignore, cancellationToken).ConfigureAwait(false);
        }
        heartbeatStop.Cancel();
        try
        {
            return await decision.ConfigureAwait(false) ?? AuthDecision.Failure;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not KeyboardInteractiveResponseException)
        {
            // A failing policy callback refuses the attempt; it does not end the connection.
            return AuthDecision.Failure;
        }
    }

    private async Task ApplyAsync(string method, AuthDecision decision, IReadOnlyList<string> methods)
    {
        switch (decision.Kind)
        {
            case AuthDecisionKind.Success:
                Absorb(method, decision);
                await SucceedAsync().ConfigureAwait(false);
                break;
            case AuthDecisionKind.PartialSuccess:
                Absorb(method, decision);
                await SendReplyAsync(UserAuthMessages.Failure(OfferedMethods(State()), true)).ConfigureAwait(false);
                break;
            default:
                await ShowAsync(decision).ConfigureAwait(false);
                await CountFailureAsync(methods).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>A refusal's message for the user, as a banner (RFC 4252 §5.4 allows one at any time before success).</summary>
    private async Task ShowAsync(AuthDecision decision)
    {
        if (decision.Message is not { } message) return;
        Trace("refused: " + message);
        await _transport.SendAsync(UserAuthMessages.Banner(message.EndsWith('\n') ? message : message + "\r\n"), _lifetime.Token).ConfigureAwait(false);
    }

    private void Absorb(string method, AuthDecision decision)
    {
        _methodsPassed.Add(method);
        if (decision.Identity is not null) _identity = decision.Identity;
        if (decision.Properties is not null)
            foreach (var (name, value) in decision.Properties) _properties[name] = value;
    }

    private async Task SucceedAsync()
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0) return;
        Trace("authenticated with " + string.Join(',', _methodsPassed));
        _graceTimer.Cancel();
        var user = new SshAuthenticatedUser(_username!, _methodsPassed.ToArray(), _publicKey, _certificate, _identity,
            new Dictionary<string, string>(_properties, StringComparer.Ordinal));
        if (!_bannerSent && _options.Banner is { } banner)
        {
            _bannerSent = true;
            await _transport.SendAsync(UserAuthMessages.Banner(banner), _lifetime.Token).ConfigureAwait(false);
        }
        // Completed before SUCCESS leaves, so whoever routes messages >= 80 on Completion is ready
        // by the time the client can send them.
        _completion.TrySetResult(user);
        await _transport.SendAsync(UserAuthMessages.Success, _lifetime.Token).ConfigureAwait(false);
        // Nothing is decided after success (later requests are ignored): end the worker and drop
        // the grace timer's registration rather than keep them for the connection's lifetime.
        _requests.Writer.TryComplete();
        _graceTimer.Dispose();
    }

    private async Task CountFailureAsync(IReadOnlyList<string> methods)
    {
        _failures++;
        Trace($"failure {_failures} of {_options.MaxAuthFailures}");
        if (_failures >= _options.MaxAuthFailures)
            throw new SshProtocolException(DisconnectReason.NoMoreAuthMethodsAvailable, "Too many authentication failures");
        await SendReplyAsync(UserAuthMessages.Failure(methods, false)).ConfigureAwait(false);
    }

    private async Task SendReplyAsync(byte[] message, CancellationToken cancellationToken = default)
    {
        var token = cancellationToken.CanBeCanceled ? cancellationToken : _lifetime.Token;
        if (!_bannerSent && _options.Banner is { } banner)
        {
            _bannerSent = true;
            await _transport.SendAsync(UserAuthMessages.Banner(banner), token).ConfigureAwait(false);
        }
        await _transport.SendAsync(message, token).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _finished, 1) == 0) _completion.TrySetCanceled();
        _lifetime.Cancel();
        _requests.Writer.TryComplete();
    }

    /// <summary>An INFO_REQUEST waiting for its INFO_RESPONSE; null result = count mismatch.</summary>
    private sealed class PendingPrompt(int promptCount)
    {
        private readonly TaskCompletionSource<string[]?> _responses = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int PromptCount { get; } = promptCount;
        public Task<string[]?> Task => _responses.Task;
        public void Complete(string[]? responses) => _responses.TrySetResult(responses);
        public void Cancel() => _responses.TrySetCanceled();
    }
}
