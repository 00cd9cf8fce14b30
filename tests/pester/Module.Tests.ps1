#Requires -Version 7.4
# The built module as a whole: manifest, exports, verbs, help, ShouldProcess, scripts, package layout.
# Runs against the HotmessRecovery found on PSModulePath (build.ps1 puts out/ first), else against out/.

BeforeDiscovery {
    $repositoryRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
    $available = Get-Module HotmessRecovery -ListAvailable | Select-Object -First 1
    $manifestPath = if ($available) { $available.Path } else { Join-Path $repositoryRoot 'out/HotmessRecovery/HotmessRecovery.psd1' }
    $module = Import-Module $manifestPath -Force -PassThru -ErrorAction Stop

    $commonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters +
        [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
    $cmdlets = foreach ($command in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
        $attribute = $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        @{
            Name                  = $command.Name
            Verb                  = $command.Verb
            SupportsShouldProcess = $attribute.SupportsShouldProcess
            ConfirmImpact         = $attribute.ConfirmImpact
            Parameters            = @($command.Parameters.Keys | Where-Object { $_ -notin $commonParameters } | Sort-Object)
        }
    }

    # Verbs whose cmdlets change or delete something, so -WhatIf must be there to preview them.
    $changingVerbs = 'Backup', 'Restore', 'Remove', 'Set', 'Invoke'
    # Verbs whose cmdlets overwrite what exists: they prompt by default, and -Force answers the prompt.
    $destructiveVerbs = 'Restore', 'Remove'

    $helpFolder = Join-Path $repositoryRoot 'docs/help'
    $helpFiles = @(if (Test-Path $helpFolder) {
            Get-ChildItem $helpFolder -Filter '*.md' -File | Sort-Object Name | ForEach-Object { @{ File = $_.Name; Path = $_.FullName } }
        })

    $scriptFolders = 'runbooks', 'bench', 'tools', 'tests/pester'
    $scripts = @(
        foreach ($folder in $scriptFolders) {
            $path = Join-Path $repositoryRoot $folder
            if (Test-Path $path) {
                Get-ChildItem $path -Recurse -File -Include '*.ps1', '*.psm1', '*.psd1' |
                    Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' }
            }
        }
        Get-Item (Join-Path $repositoryRoot 'build.ps1')
    ) | Sort-Object FullName | ForEach-Object {
        @{ Script = [IO.Path]::GetRelativePath($repositoryRoot, $_.FullName).Replace('\', '/'); Path = $_.FullName }
    }
}

BeforeAll {
    $repositoryRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
    $available = Get-Module HotmessRecovery -ListAvailable | Select-Object -First 1
    $manifestPath = if ($available) { $available.Path } else { Join-Path $repositoryRoot 'out/HotmessRecovery/HotmessRecovery.psd1' }
    $module = Import-Module $manifestPath -Force -PassThru -ErrorAction Stop
    $moduleBase = $module.ModuleBase
    $manifest = Import-PowerShellDataFile $manifestPath

    function Get-DocumentedParameter {
        # The '### -Name' headings under '## PARAMETERS' of a help markdown file.
        param([string] $Path)
        $inParameters = $false
        foreach ($line in Get-Content $Path) {
            if ($line -match '^## ') { $inParameters = $line -match '^## PARAMETERS\s*$' }
            elseif ($inParameters -and $line -match '^### -(\S+)') { $Matches[1] }
        }
    }
}

Describe 'The module manifest' {
    It 'is a valid module manifest' {
        { Test-ModuleManifest -Path $manifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'has the version of Directory.Build.props stamped in' {
        Get-Content -Raw $manifestPath | Should -Not -Match '\{\{'
        $props = [xml](Get-Content -Raw (Join-Path $repositoryRoot 'Directory.Build.props'))
        $expected = @($props.Project.PropertyGroup.ModuleVersion | Where-Object { $_ })[0]
        $manifest.ModuleVersion | Should -Be $expected
        $module.Version | Should -Be ([version] $expected)
    }

    It 'is for PowerShell 7.4 and later on Core only' {
        $manifest.CompatiblePSEditions | Should -Be @('Core')
        $manifest.PowerShellVersion | Should -Be '7.4'
    }

    It 'exports cmdlets only, listed without wildcards' {
        $manifest.CmdletsToExport | Should -Not -BeNullOrEmpty
        $manifest.CmdletsToExport | Where-Object { $_ -match '[*?]' } | Should -BeNullOrEmpty
        @($manifest.FunctionsToExport) | Should -BeNullOrEmpty
        @($manifest.AliasesToExport) | Should -BeNullOrEmpty
    }
}

Describe 'The exported cmdlets' {
    BeforeAll {
        $exported = @(Get-Command -Module $module.Name | ForEach-Object Name)
        $classes = @($module.ImplementingAssembly.GetExportedTypes() |
                Where-Object { -not $_.IsAbstract -and $_.IsSubclassOf([System.Management.Automation.Cmdlet]) } |
                ForEach-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
                ForEach-Object { "$($_.VerbName)-$($_.NounName)" })
    }

    It 'are exactly the CmdletsToExport of the manifest' {
        $exported | Should -Not -BeNullOrEmpty
        @(Compare-Object $exported $manifest.CmdletsToExport | ForEach-Object {
                if ($_.SideIndicator -eq '=>') { "$($_.InputObject) is listed but not exported" } else { "$($_.InputObject) is exported but not listed" }
            }) | Should -BeNullOrEmpty
    }

    It 'are exactly the [Cmdlet] classes in the assembly' {
        $classes | Should -Not -BeNullOrEmpty
        @(Compare-Object $exported $classes | ForEach-Object {
                if ($_.SideIndicator -eq '=>') { "$($_.InputObject) has a [Cmdlet] class but is missing from CmdletsToExport" } else { "$($_.InputObject) is exported but has no [Cmdlet] class" }
            }) | Should -BeNullOrEmpty
    }
}

Describe '<Name>' -ForEach $cmdlets {
    BeforeAll {
        $help = Get-Help $Name -Full
        $helpParameters = @($help.parameters.parameter)
    }

    It 'uses an approved verb' {
        $Verb | Should -BeIn (Get-Verb).Verb
    }

    Context 'help' {
        It 'has a synopsis written for it' {
            # Without help, Get-Help puts the syntax in the synopsis.
            $help.Synopsis | Should -Not -BeNullOrEmpty -Because "docs/help/$Name.md needs a '## SYNOPSIS'"
            $help.Synopsis.Trim() | Should -Not -Match "^$([regex]::Escape($Name))\b" -Because "docs/help/$Name.md needs a '## SYNOPSIS'"
        }

        It 'has a description' {
            ($help.description.Text -join '').Trim() | Should -Not -BeNullOrEmpty -Because "docs/help/$Name.md needs a '## DESCRIPTION'"
        }

        It 'has at least one example with code' {
            @($help.examples.example | Where-Object { "$($_.code)".Trim() }) |
                Should -Not -BeNullOrEmpty -Because "docs/help/$Name.md needs an '### Example' with a powershell code block under '## EXAMPLES'"
        }

        It 'describes -<_>' -ForEach @($Parameters | Where-Object { $_ -notin 'WhatIf', 'Confirm' }) {
            $parameterHelp = $helpParameters | Where-Object name -EQ $_
            ($parameterHelp.description.Text -join '').Trim() |
                Should -Not -BeNullOrEmpty -Because "docs/help/$Name.md needs a '### -$_' entry under '## PARAMETERS'"
        }
    }
}

Describe '<Name> declares SupportsShouldProcess, so -WhatIf and -Confirm are in its parameters and help' -ForEach @($cmdlets | Where-Object SupportsShouldProcess) {
    It 'has -WhatIf and -Confirm' {
        $command = Get-Command $Name
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.Parameters.Keys | Should -Contain 'Confirm'
        $syntax = @((Get-Help $Name).syntax.syntaxItem | ForEach-Object { @($_.parameter).name })
        $syntax | Should -Contain 'WhatIf'
        $syntax | Should -Contain 'Confirm'
    }
}

Describe '<Name> changes state (verb Backup, Restore, Remove, Set or Invoke), so it supports ShouldProcess' -ForEach @($cmdlets | Where-Object Verb -In $changingVerbs) {
    It 'declares SupportsShouldProcess' {
        $SupportsShouldProcess | Should -BeTrue
    }
}

Describe '<Name> overwrites what exists (verb Restore or Remove), so it asks first (ConfirmImpact High) and -Force answers' -ForEach @($cmdlets | Where-Object Verb -In $destructiveVerbs) {
    It 'declares ConfirmImpact High and has -Force' {
        $ConfirmImpact | Should -Be ([System.Management.Automation.ConfirmImpact]::High)
        $Parameters | Should -Contain 'Force'
    }
}

Describe 'Help source <File>' -ForEach $helpFiles {
    It 'documents an exported cmdlet' {
        $File -replace '\.md$' | Should -BeIn $manifest.CmdletsToExport
    }

    It 'documents only parameters the cmdlet has' {
        $command = Get-Command ($File -replace '\.md$') -Module $module.Name -ErrorAction Ignore
        if (-not $command) { Set-ItResult -Skipped -Because 'the module has no such cmdlet' }
        @(Get-DocumentedParameter $Path | Where-Object { $_ -notin $command.Parameters.Keys }) | Should -BeNullOrEmpty
    }
}

Describe 'The help converter' {
    BeforeAll {
        $converter = Join-Path $repositoryRoot 'tools/ConvertTo-MamlHelp.ps1'
        $command = Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name | Select-Object -First 1
        $documented = @($command.Parameters.Keys | Where-Object {
                $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters -and
                $_ -notin [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
            })[0]
        $source = Join-Path $TestDrive 'help'
        New-Item -ItemType Directory $source | Out-Null
        Set-Content (Join-Path $source "$($command.Name).md") @"
# $($command.Name)
## SYNOPSIS
Does one thing.
## DESCRIPTION
First paragraph, written
over two lines.

Second paragraph.
## EXAMPLES
### Example 1: One
``````powershell
PS> $($command.Name)
``````
What it shows.
## PARAMETERS
### -$documented
What -$documented means.
### -NoSuchParameter
Gone.
## INPUTS
### None
## OUTPUTS
### System.Object
Something.
"@
        Set-Content (Join-Path $source 'Get-HotmessNothing.md') "# Get-HotmessNothing`n## SYNOPSIS`nGets nothing."
        $output = Join-Path $TestDrive 'en-US/help.xml'
        & $converter -Path $source -OutputPath $output -ModulePath $manifestPath -WarningVariable warnings -WarningAction SilentlyContinue
        $maml = [xml](Get-Content -Raw $output)
        $ns = [System.Xml.XmlNamespaceManager]::new($maml.NameTable)
        $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
        $ns.AddNamespace('maml', 'http://schemas.microsoft.com/maml/2004/10')
        $ns.AddNamespace('dev', 'http://schemas.microsoft.com/maml/dev/2004/10')
    }

    It 'warns about a help file whose cmdlet does not exist, and leaves it out' {
        $warnings -join "`n" | Should -Match "documents 'Get-HotmessNothing', which the module does not export"
        $maml.SelectNodes('//command:details/command:name', $ns).InnerText | Should -Be @($command.Name)
    }

    It 'warns about a parameter with no description, and one the cmdlet does not have' {
        $undocumented = @($command.Parameters.Keys | Where-Object {
                $_ -ne $documented -and $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters -and
                $_ -notin [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
            })
        $text = $warnings -join "`n"
        foreach ($name in $undocumented) { $text | Should -Match "parameter -$name of $($command.Name) has no description" }
        $text | Should -Match 'documents -NoSuchParameter'
    }

    It 'takes one syntax item per parameter set, and the parameter facts from the cmdlet' {
        $maml.SelectNodes('//command:syntax/command:syntaxItem', $ns).Count | Should -Be $command.ParameterSets.Count
        $parameter = $command.Parameters[$documented]
        $node = $maml.SelectSingleNode("//command:parameters/command:parameter[maml:name='$documented']", $ns)
        $node.GetAttribute('required') | Should -Be ([string]($parameter.ParameterSets.Values.IsMandatory -contains $true)).ToLowerInvariant()
        $node.SelectSingleNode('maml:description/maml:para', $ns).InnerText | Should -Be "What -$documented means."
        $type = $parameter.ParameterType
        if ([Nullable]::GetUnderlyingType($type)) { $type = [Nullable]::GetUnderlyingType($type) }
        $node.SelectSingleNode('dev:type/maml:name', $ns).InnerText | Should -Be $type.FullName
    }

    It 'joins wrapped lines into paragraphs and keeps the example code' {
        @($maml.SelectNodes('//command:command/maml:description/maml:para', $ns).InnerText) |
            Should -Be @('First paragraph, written over two lines.', 'Second paragraph.')
        $maml.SelectSingleNode('//command:example/dev:code', $ns).InnerText | Should -Be "PS> $($command.Name)"
    }
}

Describe 'Script <Script>' -ForEach $scripts {
    It 'parses without errors' {
        $tokens = $errors = $null
        [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref] $tokens, [ref] $errors) | Out-Null
        @($errors | ForEach-Object { "line $($_.Extent.StartLineNumber): $($_.Message)" }) | Should -BeNullOrEmpty
    }
}

Describe 'The package' {
    BeforeAll {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zipPath = Join-Path (Split-Path $moduleBase) 'HotmessRecovery.zip'
        $entries = @()
        if (Test-Path $zipPath) {
            $zip = [System.IO.Compression.ZipFile]::OpenRead($zipPath)
            try { $entries = @($zip.Entries | ForEach-Object { $_.FullName.Replace('\', '/') }) } finally { $zip.Dispose() }
        }
    }

    It 'is HotmessRecovery.zip beside the module folder, named like the folder and the manifest (the Azure Automation import layout)' {
        $zipPath | Should -Exist
        Split-Path -Leaf $moduleBase | Should -Be 'HotmessRecovery'
        Split-Path -Leaf $manifestPath | Should -Be 'HotmessRecovery.psd1'
    }

    It 'holds a single top-level HotmessRecovery folder' {
        $entries | Should -Not -BeNullOrEmpty
        @($entries | ForEach-Object { ($_ -split '/')[0] } | Select-Object -Unique) | Should -Be @('HotmessRecovery')
    }

    It 'holds <_> in that folder' -ForEach 'HotmessRecovery.psd1', 'Hotmess.Recovery.Cmdlets.dll', 'Hotmess.Recovery.Core.dll', 'Npgsql.dll', 'HotmessRecovery.format.ps1xml', 'en-US/Hotmess.Recovery.Cmdlets.dll-help.xml' {
        $entries | Should -Contain "HotmessRecovery/$_"
    }

    It 'has Npgsql.dll beside the module dll' {
        Join-Path $moduleBase 'Npgsql.dll' | Should -Exist
    }

    It 'has every assembly the module references beside its dll, or in PowerShell and .NET' {
        $available = [System.Collections.Generic.HashSet[string]]::new([StringComparer]::OrdinalIgnoreCase)
        foreach ($folder in $moduleBase, $PSHOME, [System.Runtime.InteropServices.RuntimeEnvironment]::GetRuntimeDirectory()) {
            Get-ChildItem $folder -Filter '*.dll' | ForEach-Object { $available.Add($_.BaseName) | Out-Null }
        }
        $missing = foreach ($dll in Get-ChildItem $moduleBase -Filter '*.dll') {
            $stream = [IO.File]::OpenRead($dll.FullName)
            try {
                $pe = [System.Reflection.PortableExecutable.PEReader]::new($stream)
                if (-not $pe.HasMetadata) { continue }
                $reader = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
                foreach ($handle in $reader.AssemblyReferences) {
                    $name = $reader.GetString($reader.GetAssemblyReference($handle).Name)
                    if (-not $available.Contains($name)) { "$($dll.Name) -> $name" }
                }
            }
            finally {
                $stream.Dispose()
            }
        }
        @($missing) | Should -BeNullOrEmpty
    }
}
