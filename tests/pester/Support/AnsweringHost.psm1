# A PowerShell host that answers -Confirm prompts from a list, so tests can accept some messages and decline others.
# Invoke-WithAnswers runs a script block in a runspace of its own on that host, with the built module imported.

Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace Hotmess.Recovery.Tests.Pester
{
    /// <summary>Answers each PromptForChoice with the next label of its list ("Yes", "No", …); records the prompts.</summary>
    public sealed class AnsweringHost : PSHost
    {
        private readonly AnsweringUI _ui;
        private readonly Guid _id = Guid.NewGuid();

        public AnsweringHost(IEnumerable<string> answers) { _ui = new AnsweringUI(answers); }

        public List<string> Prompts { get { return _ui.Prompts; } }
        public override CultureInfo CurrentCulture { get { return CultureInfo.InvariantCulture; } }
        public override CultureInfo CurrentUICulture { get { return CultureInfo.InvariantCulture; } }
        public override Guid InstanceId { get { return _id; } }
        public override string Name { get { return "AnsweringHost"; } }
        public override PSHostUserInterface UI { get { return _ui; } }
        public override Version Version { get { return new Version(1, 0); } }
        public override void EnterNestedPrompt() { throw new NotSupportedException(); }
        public override void ExitNestedPrompt() { throw new NotSupportedException(); }
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
        public override void SetShouldExit(int exitCode) { }
    }

    public sealed class AnsweringUI : PSHostUserInterface
    {
        private readonly Queue<string> _answers;
        public readonly List<string> Prompts = new List<string>();

        public AnsweringUI(IEnumerable<string> answers) { _answers = new Queue<string>(answers); }

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            Prompts.Add(message);
            if (_answers.Count == 0) { throw new InvalidOperationException("No answer left for: " + message); }
            var answer = _answers.Dequeue();
            for (var i = 0; i < choices.Count; i++)
            {
                if (string.Equals(choices[i].Label.Replace("&", ""), answer, StringComparison.OrdinalIgnoreCase)) { return i; }
            }
            throw new InvalidOperationException("No choice '" + answer + "' in the prompt for: " + message);
        }

        public override PSHostRawUserInterface RawUI { get { return null; } }
        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) { throw new NotSupportedException(); }
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) { throw new NotSupportedException(); }
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) { throw new NotSupportedException(); }
        public override string ReadLine() { throw new NotSupportedException(); }
        public override SecureString ReadLineAsSecureString() { throw new NotSupportedException(); }
        public override void Write(string value) { }
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) { }
        public override void WriteDebugLine(string message) { }
        public override void WriteErrorLine(string value) { }
        public override void WriteLine(string value) { }
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override void WriteVerboseLine(string message) { }
        public override void WriteWarningLine(string message) { }
    }
}
'@

function Invoke-WithAnswers {
    <#
    .SYNOPSIS
        Runs $ScriptBlock (given $Arguments) on a host that answers its confirmation prompts with $Answers in turn;
        returns its output and, as Prompts, the messages it was asked to confirm.
    #>
    param([string[]] $Answers, [scriptblock] $ScriptBlock, [object[]] $Arguments = @())
    $answeringHost = [Hotmess.Recovery.Tests.Pester.AnsweringHost]::new($Answers)
    $runspace = [runspacefactory]::CreateRunspace($answeringHost)
    $runspace.Open()
    try {
        $shell = [powershell]::Create()
        $shell.Runspace = $runspace
        $shell.AddScript('Import-Module HotmessRecovery').AddStatement().AddScript($ScriptBlock.ToString()) | Out-Null
        foreach ($argument in $Arguments) { $shell.AddArgument($argument) | Out-Null }
        $output = $shell.Invoke()
        [pscustomobject]@{ Output = @($output); Prompts = @($answeringHost.Prompts); Errors = @($shell.Streams.Error) }
    }
    finally {
        $runspace.Dispose()
    }
}

Export-ModuleMember -Function Invoke-WithAnswers
