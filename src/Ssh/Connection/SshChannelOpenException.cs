namespace Gateway.Ssh.Connection;

/// <summary>The peer answered our CHANNEL_OPEN with CHANNEL_OPEN_FAILURE (or we could not open it locally).</summary>
public sealed class SshChannelOpenException : Exception
{
    public SshChannelOpenException(uint reasonCode, string description)
        : base($"channel open failed ({reasonCode}): {description}")
    {
        ReasonCode = reasonCode;
        Description = description;
    }

    /// <summary>See <see cref="ChannelOpenFailureReason"/>.</summary>
    public uint ReasonCode { get; }

    public string Description { get; }
}
