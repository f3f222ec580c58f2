namespace Gateway.Ssh.Connection;

/// <summary>
/// A CHANNEL_OPEN as received (or sent). For "direct-tcpip" <see cref="Address"/>/<see cref="Port"/>
/// are the host and port to connect to; for "forwarded-tcpip" they are the address and port that
/// were connected, exactly as sent. Originator fields are set for both TCP/IP types.
/// </summary>
public sealed record ChannelOpenRequest(
    string Type,
    string? Address = null,
    uint Port = 0,
    string? OriginatorAddress = null,
    uint OriginatorPort = 0)
{
    public const string Session = "session";
    public const string DirectTcpIp = "direct-tcpip";
    public const string ForwardedTcpIp = "forwarded-tcpip";
}
