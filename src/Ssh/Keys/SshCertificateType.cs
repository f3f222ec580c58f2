namespace Gateway.Ssh.Keys;

/// <summary>Certificate type field of PROTOCOL.certkeys.</summary>
public enum SshCertificateType : uint
{
    User = 1,
    Host = 2,
}
