namespace Gateway.Ssh.Auth;

/// <summary>Client role: the server refused every method we could try.</summary>
public sealed class SshAuthenticationException : Exception
{
    public SshAuthenticationException(string message, IReadOnlyList<string> methodsLeft) : base(message) => MethodsLeft = methodsLeft;

    /// <summary>The methods the server still listed in its last USERAUTH_FAILURE.</summary>
    public IReadOnlyList<string> MethodsLeft { get; }
}
