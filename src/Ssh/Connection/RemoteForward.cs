namespace Gateway.Ssh.Connection;

/// <summary>A "tcpip-forward" request: the bind address and port exactly as the client sent them.</summary>
public sealed record RemoteForwardRequest(string BindAddress, uint Port, bool WantReply);

/// <summary>The handler's answer to "tcpip-forward".</summary>
public sealed class RemoteForwardDecision
{
    private RemoteForwardDecision(bool accepted, uint? allocatedPort, string? message)
    {
        Accepted = accepted;
        AllocatedPort = allocatedPort;
        Message = message;
    }

    public bool Accepted { get; }

    /// <summary>The port actually bound; required when the request asked for port 0 (it is sent in the reply).</summary>
    public uint? AllocatedPort { get; }

    /// <summary>Why it was refused (for logs; SSH has no field for it).</summary>
    public string? Message { get; }

    public static RemoteForwardDecision Accept(uint? allocatedPort = null) => new(true, allocatedPort, null);

    public static RemoteForwardDecision Refuse(string? message = null) => new(false, null, message);
}
