; aumid.nsh: gives a Start-menu shortcut the System.AppUserModel.ID property that Windows
; toasts name their app by, with NSIS's own System plugin and Win\COM.nsh / Propkey.nsh only.
!include LogicLib.nsh
!include Win\COM.nsh
!include Win\Propkey.nsh
; Usage: !insertmacro SetLnkAUMID "$SMPROGRAMS\App.lnk" "Vendor.App"   ; leaves HRESULT in $0 (0 = ok)
!macro SetLnkAUMID _lnk _aumid
  Push $1
  Push $2
  Push $3
  Push $4
  Push $5
  Push $6
  StrCpy $0 -1
  !insertmacro ComHlpr_CreateInProcInstance ${CLSID_ShellLink} ${IID_IShellLink} r1 ""
  ${If} $1 P<> 0
    ${IUnknown::QueryInterface} $1 '("${IID_IPersistFile}",.r2)'
    ${If} $2 P<> 0
      ${IPersistFile::Load} $2 '("${_lnk}",${STGM_READWRITE}).r0'
      ${If} $0 = 0
        ${IUnknown::QueryInterface} $1 '("${IID_IPropertyStore}",.r3)'
        ${If} $3 P<> 0
          System::Call 'oleaut32::SysAllocString(w "${_aumid}")p.r6'
          System::Call '*${SYSSTRUCT_PROPERTYKEY}(${PKEY_AppUserModel_ID})p.r4'
          System::Call '*${SYSSTRUCT_PROPVARIANT}(${VT_BSTR},,p r6)p.r5'
          ${IPropertyStore::SetValue} $3 '($4,$5).r0'
          ${If} $0 = 0
            ${IPropertyStore::Commit} $3 ".r0"
          ${EndIf}
          System::Call 'oleaut32::SysFreeString(p r6)'
          System::Free $4
          System::Free $5
          ${IUnknown::Release} $3 ""
          ${If} $0 = 0
            ${IPersistFile::Save} $2 '("${_lnk}",1).r0'
          ${EndIf}
        ${EndIf}
      ${EndIf}
      ${IUnknown::Release} $2 ""
    ${EndIf}
    ${IUnknown::Release} $1 ""
  ${EndIf}
  Pop $6
  Pop $5
  Pop $4
  Pop $3
  Pop $2
  Pop $1
!macroend
