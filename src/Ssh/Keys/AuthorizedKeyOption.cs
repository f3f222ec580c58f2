namespace Gateway.Ssh.Keys;

/// <summary>
/// One option of an authorized_keys line: a flag (<c>no-pty</c>, <c>cert-authority</c>) or a name with
/// a quoted value (<c>from="10.0.0.0/8"</c>). <see cref="Value"/> is unquoted: <c>\"</c> is read as <c>"</c>.
/// </summary>
public sealed record AuthorizedKeyOption(string Name, string? Value)
{
    public const string CertAuthority = "cert-authority";

    /// <summary>As written in a line: the value quoted again, with <c>"</c> escaped as <c>\"</c>.</summary>
    public override string ToString() => Value is null ? Name : Name + "=\"" + Value.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
