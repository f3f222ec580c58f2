namespace Gateway.Ssh.Connection;

/// <summary>The handler's answer to an incoming CHANNEL_OPEN.</summary>
public sealed class ChannelOpenDecision
{
    private ChannelOpenDecision(bool accepted, uint reasonCode, string description, Action<SshChannel>? onOpened)
    {
        Accepted = accepted;
        ReasonCode = reasonCode;
        Description = description;
        OnOpened = onOpened;
    }

    public bool Accepted { get; }
    public uint ReasonCode { get; }
    public string Description { get; }

    /// <summary>Runs with the channel just before the confirmation is sent, so it sees every later message.</summary>
    public Action<SshChannel>? OnOpened { get; }

    public static ChannelOpenDecision Accept(Action<SshChannel>? onOpened = null) => new(true, 0, "", onOpened);

    public static ChannelOpenDecision Refuse(uint reasonCode = ChannelOpenFailureReason.AdministrativelyProhibited, string description = "open failed")
        => new(false, reasonCode, description, null);
}
