namespace Gateway.Ssh.Connection;

/// <summary>SSH_MSG_CHANNEL_OPEN_FAILURE reason codes (RFC 4254 §5.1).</summary>
public static class ChannelOpenFailureReason
{
    public const uint AdministrativelyProhibited = 1;
    public const uint ConnectFailed = 2;
    public const uint UnknownChannelType = 3;
    public const uint ResourceShortage = 4;
}
