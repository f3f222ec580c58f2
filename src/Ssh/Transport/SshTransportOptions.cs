using Gateway.Ssh.Keys;

namespace Gateway.Ssh.Transport;

/// <summary>Settings of one transport connection. Shared between connections; not modified by the transport.</summary>
public sealed class SshTransportOptions
{
    /// <summary>Default <c>server-sig-algs</c> sent in EXT_INFO (RFC 8308): plain signature names, no certificates.</summary>
    public const string DefaultServerSignatureAlgorithms =
        "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256";

    /// <summary>Sent as <c>SSH-2.0-&lt;SoftwareVersion&gt;</c>. Never claim to be OpenSSH: clients pick quirks from it.</summary>
    public string SoftwareVersion { get; set; } = "Gateway_1.0";

    public SshAlgorithmPreferences Algorithms { get; set; } = new();

    /// <summary>Server role: the host keys; the host key algorithms offered are those these keys can sign.</summary>
    public IReadOnlyList<SshPrivateKey> HostKeys { get; set; } = [];

    /// <summary>Client role (required): decides whether the server's host key is trusted.</summary>
    public Func<SshPublicKey, bool>? HostKeyVerifier { get; set; }

    /// <summary>Server role: the value of <c>server-sig-algs</c> in EXT_INFO.</summary>
    public string ServerSignatureAlgorithms { get; set; } = DefaultServerSignatureAlgorithms;

    /// <summary>
    /// Rekey after this many bytes in one direction. Null uses the cipher's limit as OpenSSH does
    /// (1 GiB for 8-byte-block ciphers such as chacha20-poly1305, 64 GiB for AES); a set value
    /// only lowers it.
    /// </summary>
    public long? RekeyBytes { get; set; }

    /// <summary>Rekey after this many packets in one direction (OpenSSH: 2^31).</summary>
    public long RekeyPackets { get; set; } = 1L << 31;

    /// <summary>Rekey after this much time (RFC 4253 §9: one hour).</summary>
    public TimeSpan RekeyTime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Key re-exchanges the peer may start before authentication has succeeded; one more ends the
    /// connection. OpenSSH's clients never rekey during authentication, so this is a bound on
    /// work, not a limit real clients meet.
    /// </summary>
    public int MaxRekeysBeforeAuthentication { get; set; } = 2;

    /// <summary>Bounds the version exchange plus the first key exchange, and every later key exchange.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A single write to the stream that takes longer than this ends the connection (the peer stopped reading).</summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Upper bound of packet_length accepted from the peer: payloads up to 256 KiB plus padding.</summary>
    public int MaxPacketSize { get; set; } = MaxPayloadSize + 1024;

    /// <summary>The largest payload accepted from the peer and allowed in SendAsync (OpenSSH's PACKET_MAX_SIZE).</summary>
    public const int MaxPayloadSize = 256 * 1024;

    /// <summary>Messages that SendAsync may queue before it waits (backpressure).</summary>
    public int OutboundQueueLimit { get; set; } = 64;

    /// <summary>Post() queue bounds; exceeding either disconnects the peer (it stopped reading).</summary>
    public int PostQueueLimitMessages { get; set; } = 10_000;

    public long PostQueueLimitBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// Bytes of transport replies (key exchange messages, UNIMPLEMENTED) waiting to be sent;
    /// exceeding it disconnects the peer (it provokes replies while not reading them).
    /// </summary>
    public long TransportQueueLimitBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Before authentication: bytes of replies of any kind (transport and posted) waiting for a
    /// peer that does not read; exceeding it disconnects the peer.
    /// </summary>
    public long UnauthenticatedQueueLimitBytes { get; set; } = 256 * 1024;

    /// <summary>Test hook: strict KEX (Terrapin countermeasure) is always on outside tests.</summary>
    internal bool EnableStrictKex { get; set; } = true;

    /// <summary>Test hook: also put the strict-KEX and ext-info names into every later KEXINIT, where peers must ignore them.</summary>
    internal bool SignalExtensionsInRekeys { get; set; }

    internal void Validate(bool isServer)
    {
        ArgumentNullException.ThrowIfNull(Algorithms);
        Algorithms.Validate();
        if (string.IsNullOrWhiteSpace(SoftwareVersion) || SoftwareVersion.Any(c => c <= ' ' || c > '~' || c == '-'))
            throw new ArgumentException("SoftwareVersion must be printable ASCII without spaces or '-'", nameof(SoftwareVersion));
        if (SoftwareVersion.Length > 200)
            throw new ArgumentException("SoftwareVersion is too long", nameof(SoftwareVersion));
        if (isServer && (HostKeys is null || HostKeys.Count == 0))
            throw new ArgumentException("a server needs at least one host key", nameof(HostKeys));
        if (!isServer && HostKeyVerifier is null)
            throw new ArgumentException("a client needs a HostKeyVerifier", nameof(HostKeyVerifier));
        if (MaxPacketSize < 35000 || MaxPacketSize > 4 * 1024 * 1024)
            throw new ArgumentOutOfRangeException(nameof(MaxPacketSize));
        if (OutboundQueueLimit < 1) throw new ArgumentOutOfRangeException(nameof(OutboundQueueLimit));
        if (PostQueueLimitMessages < 1 || PostQueueLimitBytes < 1) throw new ArgumentOutOfRangeException(nameof(PostQueueLimitMessages));
        if (TransportQueueLimitBytes < 64 * 1024) throw new ArgumentOutOfRangeException(nameof(TransportQueueLimitBytes), "must be at least 64 KiB");
        if (UnauthenticatedQueueLimitBytes < 64 * 1024) throw new ArgumentOutOfRangeException(nameof(UnauthenticatedQueueLimitBytes), "must be at least 64 KiB");
        if (HandshakeTimeout <= TimeSpan.Zero || WriteTimeout <= TimeSpan.Zero || RekeyTime <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(HandshakeTimeout));
        if (RekeyBytes is <= 0 || RekeyPackets <= 0) throw new ArgumentOutOfRangeException(nameof(RekeyBytes));
        if (MaxRekeysBeforeAuthentication < 0) throw new ArgumentOutOfRangeException(nameof(MaxRekeysBeforeAuthentication));
    }
}
