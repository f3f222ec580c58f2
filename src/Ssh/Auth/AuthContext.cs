using System.Net;

namespace Gateway.Ssh.Auth;

/// <summary>What every authentication callback learns about the attempt.</summary>
public abstract class AuthContext
{
    private protected AuthContext(SshAuthState state) => State = state;

    public SshAuthState State { get; }
    public string Username => State.Username;
    public string Service => State.Service;
    public EndPoint? RemoteEndPoint => State.RemoteEndPoint;
    public IReadOnlyList<string> MethodsPassed => State.MethodsPassed;
}
