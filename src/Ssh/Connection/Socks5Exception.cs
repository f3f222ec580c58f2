namespace Gateway.Ssh.Connection;

/// <summary>A SOCKS5 exchange failed: an error reply (RFC 1928 §6) or a broken/closed exchange.</summary>
public sealed class Socks5Exception : Exception
{
    public Socks5Exception(string message, byte? replyCode = null) : base(message) => ReplyCode = replyCode;

    /// <summary>The REP field of the server's reply, when it sent one.</summary>
    public byte? ReplyCode { get; }

    /// <summary>RFC 1928 §6 texts for the REP field.</summary>
    public static string DescribeReply(byte code) => code switch
    {
        0x01 => "general SOCKS server failure",
        0x02 => "connection not allowed by ruleset",
        0x03 => "network unreachable",
        0x04 => "host unreachable",
        0x05 => "connection refused",
        0x06 => "TTL expired",
        0x07 => "command not supported",
        0x08 => "address type not supported",
        _ => $"unassigned SOCKS reply code {code}",
    };
}
