namespace Gateway.Ssh.Connection;

/// <summary>A SOCKS5 exchange failed: an error reply (RFC 1928 §6) or a broken/closed exchange.</summary>
public sealed class Socks5Exception : Exception
{
    public Socks5Exception(string message, byte? replyCode = null) : base(message) => ReplyCode = replyCode;

    public Socks5Exception(string message, bool noAnswer, Exception? inner = null) : base(message, inner) => NoAnswer = noAnswer;

    /// <summary>
    /// The server sent no byte of its own before the exchange ended: it closed, or the wait was
    /// cancelled, with nothing received, or it only echoed what the client sent. What a peer that
    /// is not a SOCKS server (a service that ignores or echoes stray bytes) does.
    /// </summary>
    public bool NoAnswer { get; }

    /// <summary>The exchange ended because its cancellation token fired (a bound, or the caller giving up).</summary>
    public bool Cancelled => InnerException is OperationCanceledException;

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
