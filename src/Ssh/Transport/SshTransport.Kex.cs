using System.Security.Cryptography;
using Gateway.Ssh.Crypto;
using Gateway.Ssh.Kex;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Transport;

// Key exchange (RFC 4253 §7–8, RFC 8731, RFC 5656, mlkem768x25519) with OpenSSH's strict KEX and
// EXT_INFO. All steps after our KEXINIT run on the receive loop.
public sealed partial class SshTransport
{
    private volatile KexRound? _round;
    private long _roundIds;
    private volatile bool _firstKexDone;
    private volatile bool _strict;
    private bool _peerWantsExtInfo;
    private int _kexCount;
    private int _unauthenticatedRekeys;
    private volatile bool _authenticated;
    private long _lastKexTicks = Environment.TickCount64;
    private SshPublicKey? _serverHostKey;

    /// <summary>
    /// Starts a key re-exchange from our side (or joins the running one) and completes when the
    /// new keys are in use in both directions. OpenSSH peers refuse this before authentication
    /// has succeeded.
    /// </summary>
    public Task RekeyAsync()
    {
        if (!_firstKexDone) throw new InvalidOperationException("the first key exchange has not completed");
        return BeginKex();
    }

    /// <summary>Makes sure a round exists and our KEXINIT for it is queued; returns the round's completion.</summary>
    private Task BeginKex()
    {
        lock (_kexLock)
        {
            if (IsClosing) return Task.FromException(ClosedException());
            var round = _round;
            if (round is null)
            {
                round = new KexRound(++_roundIds);
                _round = round;
                if (_firstKexDone)
                {
                    try { _kexTimeoutTimer.Change(_options.HandshakeTimeout, Timeout.InfiniteTimeSpan); }
                    catch (ObjectDisposedException) { }
                }
            }
            if (round.OurKexInit is null)
            {
                var message = BuildOurKexInit(first: !_firstKexDone);
                var payload = message.Build();
                round.OurMessage = message;
                round.OurKexInit = payload;
                // Enqueued under the lock so it precedes this round's later KEX messages.
                EnqueueTransport(OutboundItem.Create(payload, OutboundKind.KexInit));
            }
            return round.Completion.Task;
        }
    }

    private KexInitMessage BuildOurKexInit(bool first)
    {
        var kex = _algorithms.KeyExchange.ToList();
        if (first || _options.SignalExtensionsInRekeys)
        {
            if (IsServer)
            {
                if (_options.EnableStrictKex) kex.Add(KexInitMessage.StrictKexServer);
            }
            else
            {
                kex.Add(KexInitMessage.ExtInfoClient);
                if (_options.EnableStrictKex) kex.Add(KexInitMessage.StrictKexClient);
            }
        }
        var hostKeys = IsServer ? ServerHostKeyAlgorithms().ToArray() : _algorithms.HostKey.ToArray();
        var ciphers = _algorithms.Ciphers.ToArray();
        var macs = _algorithms.Macs.ToArray();
        var compression = _algorithms.Compression.ToArray();
        return new KexInitMessage
        {
            Kex = kex.ToArray(),
            HostKey = hostKeys,
            CiphersCtoS = ciphers,
            CiphersStoC = ciphers,
            MacsCtoS = macs,
            MacsStoC = macs,
            CompressionCtoS = compression,
            CompressionStoC = compression,
        };
    }

    /// <summary>Server role: the preferred host key algorithms that one of our host keys can sign with.</summary>
    private List<string> ServerHostKeyAlgorithms() =>
        _algorithms.HostKey.Where(name => _options.HostKeys.Any(key => key.SignatureAlgorithms.Contains(name))).ToList();

    private void HandleKexMessage(ReadOnlySpan<byte> span, byte number, uint sequence)
    {
        var round = _round;
        switch (number)
        {
            case SshMessageNumber.KexInit:
                OnPeerKexInit(span, sequence);
                break;
            case SshMessageNumber.KexEcdhInit when IsServer && round?.Phase == KexPhase.AwaitingEcdhInit:
                OnEcdhInit(round, span);
                break;
            case SshMessageNumber.KexEcdhReply when !IsServer && round?.Phase == KexPhase.AwaitingEcdhReply:
                OnEcdhReply(round, span);
                break;
            case SshMessageNumber.NewKeys when round?.Phase == KexPhase.AwaitingNewKeys:
                OnNewKeys(round);
                break;
            default:
                throw new SshProtocolException(DisconnectReason.ProtocolError, $"unexpected key exchange message {number} (out of order)");
        }
    }

    private void OnPeerKexInit(ReadOnlySpan<byte> span, uint sequence)
    {
        if (_round?.PeerKexInit is not null)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "KEXINIT received twice in one key exchange");
        // Each key exchange costs us a key agreement and a host key signature: before the peer
        // is known, it may start only a few (rounds we started ourselves are not its doing).
        var peerStarted = _round?.OurKexInit is null;
        if (_firstKexDone && !_authenticated && peerStarted && ++_unauthenticatedRekeys > _options.MaxRekeysBeforeAuthentication)
            throw new SshProtocolException(DisconnectReason.ProtocolError,
                $"too many key re-exchanges before authentication (more than {_options.MaxRekeysBeforeAuthentication})");
        var message = KexInitMessage.Parse(span);
        if (!_firstKexDone)
        {
            // Only the first KEXINIT signals these; later ones are ignored (OpenSSH PROTOCOL §1.9).
            _strict = _options.EnableStrictKex && message.Kex.Contains(IsServer ? KexInitMessage.StrictKexClient : KexInitMessage.StrictKexServer);
            if (_strict && sequence != 0)
                throw new SshProtocolException(DisconnectReason.ProtocolError, "strict KEX violation: KEXINIT was not the first packet");
            if (IsServer) _peerWantsExtInfo = message.Kex.Contains(KexInitMessage.ExtInfoClient);
        }
        _ = BeginKex();
        var round = _round ?? throw new SshConnectionClosedException("connection closed");
        round.PeerKexInit = span.ToArray();
        round.PeerMessage = message;
        var ours = round.OurMessage!;
        var algorithms = IsServer ? AlgorithmNegotiator.Negotiate(message, ours) : AlgorithmNegotiator.Negotiate(ours, message);
        round.Algorithms = algorithms;
        Trace($"kex: {algorithms.Kex}, host key {algorithms.HostKey}, ciphers {algorithms.CipherCtoS}/{algorithms.CipherStoC}, " +
              $"MACs {algorithms.MacCtoS ?? "<implicit>"}/{algorithms.MacStoC ?? "<implicit>"}, strict {_strict}");
        if (message.FirstKexPacketFollows && !AlgorithmNegotiator.GuessIsRight(message, ours))
            _skipNextPacket = true;
        round.Exchange = KeyExchangeAlgorithms.Create(algorithms.Kex);
        if (IsServer)
        {
            round.Phase = KexPhase.AwaitingEcdhInit;
        }
        else
        {
            round.ClientValue = round.Exchange.CreateClientValue();
            var clientValue = round.ClientValue;
            SendTransport(SshMessageBuilder.Build(SshMessageNumber.KexEcdhInit, w => w.WriteBinary(clientValue)));
            round.Phase = KexPhase.AwaitingEcdhReply;
        }
    }

    private void OnEcdhInit(KexRound round, ReadOnlySpan<byte> span)
    {
        var reader = new SshReader(span[1..]);
        var clientValue = reader.ReadBinary();
        reader.EnsureEnd();
        var algorithms = round.Algorithms!;
        var exchange = round.Exchange!;
        byte[] serverValue, secret;
        try
        {
            (serverValue, secret) = exchange.RespondToClient(clientValue);
        }
        catch (Exception ex) when (ex is not SshProtocolException)
        {
            throw new SshProtocolException(DisconnectReason.KeyExchangeFailed, "invalid client key exchange value", ex);
        }
        try
        {
            var hostKey = _options.HostKeys.First(key => key.SignatureAlgorithms.Contains(algorithms.HostKey));
            var hostKeyBlob = hostKey.PublicKey.Blob;
            var hash = KeyDerivation.ExchangeHash(exchange.HashAlgorithm, RemoteVersion, LocalVersion,
                round.PeerKexInit, round.OurKexInit, hostKeyBlob.Span, clientValue, serverValue, secret);
            if (_sessionId.Length == 0) _sessionId = hash;
            var signature = hostKey.Sign(algorithms.HostKey, hash);
            SendTransport(SshMessageBuilder.Build(SshMessageNumber.KexEcdhReply, w =>
            {
                w.WriteBinary(hostKeyBlob.Span);
                w.WriteBinary(serverValue);
                w.WriteBinary(signature);
            }));
            InstallKeys(round, secret, hash);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    private void OnEcdhReply(KexRound round, ReadOnlySpan<byte> span)
    {
        var reader = new SshReader(span[1..]);
        var hostKeyBlob = reader.ReadBinary();
        var serverValue = reader.ReadBinary();
        var signature = reader.ReadBinary();
        reader.EnsureEnd();
        var algorithms = round.Algorithms!;
        var exchange = round.Exchange!;
        byte[] secret;
        try
        {
            secret = exchange.CompleteAsClient(serverValue);
        }
        catch (Exception ex) when (ex is not SshProtocolException)
        {
            throw new SshProtocolException(DisconnectReason.KeyExchangeFailed, "invalid server key exchange value", ex);
        }
        try
        {
            var hash = KeyDerivation.ExchangeHash(exchange.HashAlgorithm, LocalVersion, RemoteVersion,
                round.OurKexInit, round.PeerKexInit, hostKeyBlob, round.ClientValue, serverValue, secret);
            SshPublicKey hostKey;
            try
            {
                hostKey = SshKeys.ParsePublicKey(hostKeyBlob);
            }
            catch (Exception ex) when (ex is not SshProtocolException)
            {
                throw new SshProtocolException(DisconnectReason.KeyExchangeFailed, "server host key cannot be parsed", ex);
            }
            if (!hostKey.Verify(algorithms.HostKey, hash, signature))
                throw new SshProtocolException(DisconnectReason.KeyExchangeFailed, $"server's {algorithms.HostKey} signature of the exchange hash does not verify");
            if (_serverHostKey is null)
            {
                bool trusted;
                try
                {
                    trusted = _options.HostKeyVerifier!(hostKey);
                }
                catch (Exception ex)
                {
                    throw new SshProtocolException(DisconnectReason.HostKeyNotVerifiable, "host key verification failed: " + ex.Message, ex);
                }
                if (!trusted)
                    throw new SshProtocolException(DisconnectReason.HostKeyNotVerifiable, $"server host key {SshKeys.Fingerprint(hostKey)} is not trusted");
                _serverHostKey = hostKey;
            }
            else if (!hostKey.Equals(_serverHostKey))
            {
                throw new SshProtocolException(DisconnectReason.HostKeyNotVerifiable, "server host key changed during rekey");
            }
            if (_sessionId.Length == 0) _sessionId = hash;
            InstallKeys(round, secret, hash);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Derives both directions' keys (RFC 4253 §7.2), queues our NEWKEYS with the new outbound cipher and keeps the inbound one for the peer's NEWKEYS.</summary>
    private void InstallKeys(KexRound round, byte[] secret, byte[] hash)
    {
        var algorithms = round.Algorithms!;
        var hashName = round.Exchange!.HashAlgorithm;
        var clientToServer = CreateCipher(hashName, secret, hash, algorithms.CipherCtoS, algorithms.MacCtoS, 'A', 'C', 'E', encrypt: !IsServer, out var ctosLimit);
        IPacketCipher serverToClient;
        long stocLimit;
        try
        {
            serverToClient = CreateCipher(hashName, secret, hash, algorithms.CipherStoC, algorithms.MacStoC, 'B', 'D', 'F', encrypt: IsServer, out stocLimit);
        }
        catch
        {
            clientToServer.Dispose();
            throw;
        }
        var outbound = IsServer ? serverToClient : clientToServer;
        var inbound = IsServer ? clientToServer : serverToClient;
        byte[]? extInfo = null;
        if (IsServer && !_firstKexDone && _peerWantsExtInfo)
        {
            var serverSigAlgs = _options.ServerSignatureAlgorithms;
            extInfo = SshMessageBuilder.Build(SshMessageNumber.ExtInfo, w =>
            {
                w.WriteUInt32(1);
                w.WriteString("server-sig-algs");
                w.WriteString(serverSigAlgs);
            });
        }
        round.PendingInbound = inbound;
        round.PendingInboundRekeyBytes = IsServer ? ctosLimit : stocLimit;
        round.Phase = KexPhase.AwaitingNewKeys;
        var newKeys = new NewKeysState(outbound, IsServer ? stocLimit : ctosLimit, _strict, extInfo);
        EnqueueTransport(OutboundItem.Create([SshMessageNumber.NewKeys], OutboundKind.NewKeys, newKeys));
    }

    private IPacketCipher CreateCipher(HashAlgorithmName hashName, byte[] secret, byte[] hash, string cipherName, string? macName,
        char ivLetter, char keyLetter, char macLetter, bool encrypt, out long rekeyBytes)
    {
        if (!CipherAlgorithms.TryGetCipher(cipherName, out var cipher))
            throw new SshProtocolException(DisconnectReason.KeyExchangeFailed, $"cipher {cipherName} is not available");
        MacInfo? mac = null;
        if (!cipher.IsAead)
        {
            if (macName is null || !CipherAlgorithms.TryGetMac(macName, out var macInfo))
                throw new SshProtocolException(DisconnectReason.KeyExchangeFailed, $"MAC {macName} is not available");
            mac = macInfo;
        }
        var iv = KeyDerivation.Derive(hashName, secret, hash, ivLetter, _sessionId, cipher.IvLength);
        var key = KeyDerivation.Derive(hashName, secret, hash, keyLetter, _sessionId, cipher.KeyLength);
        var macKey = KeyDerivation.Derive(hashName, secret, hash, macLetter, _sessionId, mac?.KeyLength ?? 0);
        try
        {
            rekeyBytes = RekeyLimit(cipher);
            return CipherAlgorithms.Create(cipher, mac, key, iv, macKey, encrypt);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(iv);
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(macKey);
        }
    }

    /// <summary>OpenSSH's volume limit (packet.c ssh_set_newkeys): 2^32 blocks for 16-byte blocks, 1 GiB for smaller ones; RekeyBytes only lowers it.</summary>
    private long RekeyLimit(CipherInfo cipher)
    {
        var limit = CipherAlgorithms.RekeyAfterBytes(cipher);
        return _options.RekeyBytes is { } configured ? Math.Min(limit, configured) : limit;
    }

    private void OnNewKeys(KexRound round)
    {
        _inCipher.Dispose();
        _inCipher = round.PendingInbound!;
        round.PendingInbound = null;
        if (_strict) _inSeq = 0;
        _inBytes = 0;
        _inPackets = 0;
        _inRekeyBytes = round.PendingInboundRekeyBytes;
        NegotiatedAlgorithms = round.Algorithms;
        round.Exchange?.Dispose();
        lock (_kexLock)
        {
            _round = null;
        }
        try { _kexTimeoutTimer.Change(Timeout.Infinite, Timeout.Infinite); }
        catch (ObjectDisposedException) { }
        Interlocked.Increment(ref _kexCount);
        _lastKexTicks = Environment.TickCount64;
        var first = !_firstKexDone;
        _firstKexDone = true;
        ArmRekeyTimer();
        round.Completion.TrySetResult();
        if (first) _firstKexTcs.TrySetResult();
        Trace(first ? "initial key exchange complete" : "key re-exchange complete");
    }

    /// <summary>
    /// We only start rekeys once the user is authenticated: OpenSSH never does earlier, and both
    /// its client and server treat a KEXINIT during authentication as a protocol error.
    /// </summary>
    private bool AutoRekeyAllowed => _started && _authenticated;

    /// <summary>
    /// True once USERAUTH_SUCCESS has passed (sent by us as server, received as client); from
    /// then on rekeys by volume and time start automatically.
    /// </summary>
    public bool IsAuthenticated => _authenticated;

    private void OnAuthenticated()
    {
        _authenticated = true;
        if (_started && !IsClosing && _round is null && Environment.TickCount64 - _lastKexTicks >= (long)_options.RekeyTime.TotalMilliseconds)
        {
            Trace("rekey: time limit passed during authentication");
            _ = BeginKex();
        }
    }

    private void ArmRekeyTimer()
    {
        if (!_started) return;
        try { _rekeyTimer.Change(_options.RekeyTime, Timeout.InfiniteTimeSpan); }
        catch (ObjectDisposedException) { }
        catch (ArgumentOutOfRangeException) { /* a RekeyTime beyond the timer's range means never */ }
    }

    private void OnRekeyTimer()
    {
        if (!AutoRekeyAllowed || IsClosing || _round is not null) return;
        Trace("rekey: time limit reached");
        _ = BeginKex();
    }

    private void OnKexTimeout()
    {
        var round = _round;
        if (round is null || IsClosing || !_firstKexDone) return;
        _ = DisconnectCoreAsync(DisconnectReason.KeyExchangeFailed, "key exchange timed out",
            new SshProtocolException(DisconnectReason.KeyExchangeFailed, $"key re-exchange did not complete within {_options.HandshakeTimeout.TotalSeconds:0.#} s"));
    }
}
