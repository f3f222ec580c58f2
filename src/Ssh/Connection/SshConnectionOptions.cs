namespace Gateway.Ssh.Connection;

/// <summary>Limits and policy of one <see cref="SshConnection"/>, the same for both roles.</summary>
public sealed class SshConnectionOptions
{
    /// <summary>Window granted to the peer per channel (RFC 4254 §5.2). OpenSSH uses 2 MiB.</summary>
    public uint InitialWindowSize { get; init; } = 2 * 1024 * 1024;

    /// <summary>Largest data payload we accept in one CHANNEL_DATA and send in one.</summary>
    public uint MaxPacketSize { get; init; } = 32 * 1024;

    /// <summary>Channels open at once (including ones being opened or closed), ours and the peer's.</summary>
    public int MaxChannels { get; init; } = 1024;

    /// <summary>
    /// Channels the peer may have open at once (OpenSSH's MaxSessions spirit); further opens are
    /// refused with RESOURCE_SHORTAGE. Channels we open (forwarded-tcpip for proxied requests)
    /// are bounded by <see cref="MaxChannels"/> only: their number is ours to decide.
    /// </summary>
    public int MaxPeerChannels { get; init; } = 64;

    /// <summary>
    /// Bytes the peer may make us buffer on the channels it opened, in total. Data arrives only
    /// within the window we grant, and a window reopens only as the application reads, so each
    /// channel the peer opens reserves its <see cref="InitialWindowSize"/> from this budget (input
    /// to a session nobody reads counts in full); an open that does not fit is refused with
    /// RESOURCE_SHORTAGE. The default, 32 MiB, is 16 channels with 2 MiB windows.
    /// </summary>
    public long MaxPeerBufferedBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Remote forwards (tcpip-forward) active at once; further requests are refused.</summary>
    public int MaxForwardRequests { get; init; } = 128;

    public bool AllowDirectTcpIp { get; init; }

    public bool AllowSessions { get; init; } = true;

    /// <summary>How long an open waits for the peer's answer, and how long our handler may take to decide.</summary>
    public TimeSpan ChannelOpenTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a closed channel waits for the peer's CLOSE. After it the channel completes and
    /// releases its buffers; only its id stays reserved until the CLOSE arrives, so a silent
    /// peer costs a table slot, bounded by <see cref="MaxChannels"/>.
    /// </summary>
    public TimeSpan ChannelCloseTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests (global or per channel) awaiting our reply before the receive loop waits for them.</summary>
    public int MaxPendingReplies { get; init; } = 64;

    internal void Validate()
    {
        if (MaxPacketSize < 1024 || MaxPacketSize > 256 * 1024)
            throw new ArgumentOutOfRangeException(nameof(MaxPacketSize), "must be between 1 KiB and 256 KiB");
        if (InitialWindowSize < MaxPacketSize)
            throw new ArgumentOutOfRangeException(nameof(InitialWindowSize), "must be at least MaxPacketSize");
        if (InitialWindowSize > int.MaxValue / 2)
            throw new ArgumentOutOfRangeException(nameof(InitialWindowSize), "too large");
        if (MaxChannels < 1) throw new ArgumentOutOfRangeException(nameof(MaxChannels));
        if (MaxPeerChannels < 0) throw new ArgumentOutOfRangeException(nameof(MaxPeerChannels));
        if (MaxPeerBufferedBytes < 0) throw new ArgumentOutOfRangeException(nameof(MaxPeerBufferedBytes));
        if (MaxForwardRequests < 0) throw new ArgumentOutOfRangeException(nameof(MaxForwardRequests));
        if (MaxPendingReplies < 1) throw new ArgumentOutOfRangeException(nameof(MaxPendingReplies));
    }
}
